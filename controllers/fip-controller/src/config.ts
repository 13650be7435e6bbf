import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseDocument } from "yaml";
import { z } from "zod";
import { expandIpv6 } from "./ip.ts";
import { parseSelector, type Selector } from "./selector.ts";

/*
 * Settings come from the environment and, optionally, a YAML or JSON file named by
 * FIP_CONTROLLER_CONFIG (camelCase keys; the environment wins). The file schema is strict: an
 * unknown key is an error listing the accepted ones. The Hetzner Cloud token is accepted only
 * from HCLOUD_TOKEN or a mounted file named by HCLOUD_TOKEN_FILE (file key tokenFile): a file
 * with a `token` key is refused, because a secret does not belong in a config file (ConfigMaps
 * are readable by far more people than Secrets). Durations ("15", "15s", "500ms") are above
 * zero and at most 24 hours. ACTION_TIMEOUT (default 60 s) bounds one assign action.
 */

/** The controller's settings, validated; durations in milliseconds. */
export interface Config {
  token: string;
  hcloudEndpoint: string;
  /** Floating IPs named by address, name or id; empty when a selector discovers them. */
  floatingIps: string[];
  floatingIpSelector: string | undefined;
  nodeSelector: Selector;
  leaseName: string;
  leaseNamespace: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  resyncPeriodMs: number;
  /** How long one assign action (request and polling) may take before it counts as failed. */
  actionTimeoutMs: number;
  healthPort: number;
  logLevel: string;
}

/** A configuration problem, with the variable or file that holds the bad value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

// Each setting: its environment variable and its key in the optional file.
const settings = {
  token: ["HCLOUD_TOKEN", undefined],
  tokenFile: ["HCLOUD_TOKEN_FILE", "tokenFile"],
  hcloudEndpoint: ["HCLOUD_ENDPOINT", "hcloudEndpoint"],
  floatingIps: ["FLOATING_IPS", "floatingIps"],
  floatingIpSelector: ["FLOATING_IP_SELECTOR", "floatingIpSelector"],
  nodeSelector: ["NODE_SELECTOR", "nodeSelector"],
  leaseName: ["LEASE_NAME", "leaseName"],
  leaseNamespace: ["LEASE_NAMESPACE", "leaseNamespace"],
  identity: ["POD_NAME", "identity"],
  leaseDuration: ["LEASE_DURATION", "leaseDuration"],
  renewDeadline: ["RENEW_DEADLINE", "renewDeadline"],
  retryPeriod: ["RETRY_PERIOD", "retryPeriod"],
  resyncPeriod: ["RESYNC_PERIOD", "resyncPeriod"],
  actionTimeout: ["ACTION_TIMEOUT", "actionTimeout"],
  healthPort: ["HEALTH_PORT", "healthPort"],
  logLevel: ["LOG_LEVEL", "logLevel"],
} as const;

type Key = keyof typeof settings;

/** The keys the optional file accepts: every setting but the token itself. */
const fileKeys: string[] = Object.values(settings)
  .map(([, fileKey]) => fileKey)
  .filter((k): k is Exclude<typeof k, undefined> => k !== undefined);

/** The longest duration accepted: a day (setTimeout's limit is about 24.8 days). */
const maxDurationMs = 24 * 3600_000;

// "15", "1.5", "15s" and "500ms" are all accepted; a bare number is seconds.
const Duration = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(String(v));
    if (!m?.[1]) {
      ctx.addIssue({ code: "custom", message: "expected a duration such as 15, 15s or 500ms" });
      return z.NEVER;
    }
    return m[2] === "ms" ? Number(m[1]) : Number(m[1]) * 1000;
  })
  .refine((ms) => ms > 0, "expected a duration above zero")
  .refine((ms) => ms <= maxDurationMs, "expected a duration of at most 24 hours (86400s)");

/**
 * A floating IP as configured: an IPv4 address, an IPv6 address or /64 network, a numeric id,
 * or a name. Anything shaped like an address must be a valid one (1.2.3.999 is refused).
 */
const FloatingIpEntry = z.string().refine(isFloatingIpEntry, {
  error: (issue) =>
    `"${String(issue.input)}" is not an IPv4 address, an IPv6 address or /64 network, an id or a name`,
});

function isFloatingIpEntry(entry: string): boolean {
  if (/^\d+$/.test(entry)) return true;
  if (/^[\d.]+$/.test(entry)) {
    const parts = entry.split(".");
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  }
  if (entry.includes(":")) {
    const [address, prefix, extra] = entry.split("/");
    return (
      extra === undefined &&
      (prefix === undefined || prefix === "64") &&
      !!expandIpv6(address ?? "")
    );
  }
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(entry);
}

const Raw = z.object({
  token: z.string().trim().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  hcloudEndpoint: z.url({ protocol: /^https?$/ }).default("https://api.hetzner.cloud/v1"),
  floatingIps: z
    .union([z.string(), z.array(z.union([z.string(), z.number()]))])
    .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(",")))
    .transform((list) => list.map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(FloatingIpEntry))
    .default([]),
  floatingIpSelector: z.string().trim().min(1).optional(),
  nodeSelector: z.string().default(""),
  leaseName: z
    .string()
    .regex(/^[a-z0-9.-]+$/, "expected a Kubernetes object name")
    .default("fip-controller"),
  leaseNamespace: z
    .string()
    .regex(/^[a-z0-9-]+$/, "expected a namespace name")
    .optional(),
  identity: z.string().min(1).optional(),
  leaseDuration: Duration.default(15_000),
  renewDeadline: Duration.default(10_000),
  retryPeriod: Duration.default(2_000),
  resyncPeriod: Duration.default(120_000),
  actionTimeout: Duration.default(60_000),
  healthPort: z.coerce.number().int().min(1).max(65535).default(8080),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
});

/**
 * Reads the optional file named by FIP_CONTROLLER_CONFIG (YAML or JSON, camelCase keys). A
 * syntax error names only line:column and the parser's reason: its excerpt could hold a secret.
 */
function readFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`FIP_CONTROLLER_CONFIG: cannot read ${path}`, { cause });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? `${path}:${at.line}:${at.col}` : path;
    const reason = error.message.split(" at line ")[0]?.split("\n")[0] ?? error.code;
    throw new ConfigError(`FIP_CONTROLLER_CONFIG: ${where}: ${reason}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(`FIP_CONTROLLER_CONFIG: ${path} must hold a mapping of settings`);
  }
  checkFileKeys(path, Object.keys(data));
  return data as Record<string, unknown>;
}

/** Refuses the token and unknown keys (a typo would otherwise be ignored silently). */
function checkFileKeys(path: string, keys: string[]): void {
  if (keys.includes("token"))
    throw new ConfigError(
      `FIP_CONTROLLER_CONFIG: ${path}: key token refused: a secret does not belong in a config file; set HCLOUD_TOKEN or HCLOUD_TOKEN_FILE`,
    );
  const unknown = keys.find((k) => !fileKeys.includes(k));
  if (unknown !== undefined)
    throw new ConfigError(
      `FIP_CONTROLLER_CONFIG: ${path}: unknown key ${unknown}; accepted keys: ${fileKeys.join(", ")}`,
    );
}

/** Merges the file and the environment (the environment wins) into raw values by key. */
function collect(env: NodeJS.ProcessEnv, file: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, [envName, fileKey]] of Object.entries(settings)) {
    const fromEnv = env[envName] !== undefined && env[envName] !== "";
    const value = fromEnv ? env[envName] : fileKey === undefined ? undefined : file[fileKey];
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}

/** Names a setting the way the operator set it: the variable, or the file key and the file. */
function describe(key: string, env: NodeJS.ProcessEnv, file: Record<string, unknown>): string {
  const names = settings[key as Key];
  if (!names) return key;
  const [envName, fileKey] = names;
  const fromEnv = env[envName] !== undefined && env[envName] !== "";
  if (fromEnv || fileKey === undefined || !(fileKey in file)) return envName;
  return `${fileKey} (in ${env.FIP_CONTROLLER_CONFIG})`;
}

/** Reads the token from the environment or from the mounted secret file. */
function readToken(raw: z.infer<typeof Raw>): string {
  if (raw.token) return raw.token;
  if (!raw.tokenFile) {
    throw new ConfigError("HCLOUD_TOKEN: set HCLOUD_TOKEN or HCLOUD_TOKEN_FILE (a mounted secret)");
  }
  let token: string;
  try {
    token = readFileSync(raw.tokenFile, "utf8").trim();
  } catch (cause) {
    throw new ConfigError(`HCLOUD_TOKEN_FILE: cannot read ${raw.tokenFile}`, { cause });
  }
  if (token === "") throw new ConfigError(`HCLOUD_TOKEN_FILE: ${raw.tokenFile} is empty`);
  return token;
}

/** The service account's namespace when running in a pod, else "default". */
function podNamespace(env: NodeJS.ProcessEnv): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    return readFileSync("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "utf8").trim();
  } catch {
    return "default";
  }
}

/** Validates the lease timings the way client-go's leader election does. */
function checkTimings(raw: z.infer<typeof Raw>, name: (key: Key) => string): void {
  if (raw.renewDeadline >= raw.leaseDuration) {
    throw new ConfigError(
      `${name("renewDeadline")}: must be shorter than ${name("leaseDuration")}, so the leader stops work before its lease can expire`,
    );
  }
  if (raw.retryPeriod >= raw.renewDeadline) {
    throw new ConfigError(
      `${name("retryPeriod")}: must be shorter than ${name("renewDeadline")}, so a renewal can be retried before the deadline`,
    );
  }
}

/** Loads and validates the configuration; throws ConfigError naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = readFile(env.FIP_CONTROLLER_CONFIG);
  const parsed = Raw.safeParse(collect(env, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "");
    throw new ConfigError(`${describe(key, env, file)}: ${issue?.message ?? "invalid"}`);
  }
  const raw = parsed.data;
  if (raw.floatingIps.length === 0 && !raw.floatingIpSelector) {
    throw new ConfigError(
      "FLOATING_IPS: list the floating IPs (addresses, names or ids) or set FLOATING_IP_SELECTOR",
    );
  }
  checkTimings(raw, (key) => describe(key, env, file));
  let nodeSelector: Selector;
  try {
    nodeSelector = parseSelector(raw.nodeSelector);
  } catch (cause) {
    throw new ConfigError(`${describe("nodeSelector", env, file)}: ${(cause as Error).message}`);
  }
  return {
    token: readToken(raw),
    hcloudEndpoint: raw.hcloudEndpoint.replace(/\/+$/, ""),
    floatingIps: raw.floatingIps,
    floatingIpSelector: raw.floatingIpSelector,
    nodeSelector,
    leaseName: raw.leaseName,
    leaseNamespace: raw.leaseNamespace ?? podNamespace(env),
    identity: raw.identity ?? `${hostname()}-${process.pid}`,
    leaseDurationMs: raw.leaseDuration,
    renewDeadlineMs: raw.renewDeadline,
    retryPeriodMs: raw.retryPeriod,
    resyncPeriodMs: raw.resyncPeriod,
    actionTimeoutMs: raw.actionTimeout,
    healthPort: raw.healthPort,
    logLevel: raw.logLevel,
  };
}
