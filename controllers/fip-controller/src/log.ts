import { type Logger, pino } from "pino";

/** The controller's JSON-lines logger type. */
export type Log = Logger;

/**
 * Creates a pino logger writing JSON lines to stdout. Every line passes through a filter that
 * replaces each registered secret with `[redacted]`, whatever field or error message holds it.
 */
export function createLog(level: string, secrets: string[]): Log {
  const live = secrets.filter((s) => s.length >= 4);
  return pino({
    level,
    base: { component: "fip-controller" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ["token", "*.token", "headers.authorization", "*.headers.authorization"],
      censor: "[redacted]",
    },
    hooks: {
      streamWrite: (line) =>
        live.reduce((text, secret) => text.split(secret).join("[redacted]"), line),
    },
  });
}
