import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseSelector, type Selector } from "./selector.ts";

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
  token: ["HCLOUD_TOKEN", "token"],
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
  .refine((ms) => ms > 0, "expected a duration above zero");

const Raw = z.object({
  token: z.string().trim().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  hcloudEndpoint: z.url({ protocol: /^https?$/ }).default("https://api.hetzner.cloud/v1"),
  floatingIps: z
    .union([z.string(), z.array(z.union([z.string(), z.number()]))])
    .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(",")))
    .transform((list) => list.map((s) => s.trim()).filter((s) => s !== ""))
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

/** Reads the optional file named by FIP_CONTROLLER_CONFIG (YAML or JSON, camelCase keys). */
function readFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`FIP_CONTROLLER_CONFIG: cannot read ${path}`, { cause });
  }
  const data: unknown = parseYaml(text);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError(`FIP_CONTROLLER_CONFIG: ${path} must hold a mapping of settings`);
  }
  return data as Record<string, unknown>;
}

/** Merges the file and the environment (the environment wins) into raw values by key. */
function collect(env: NodeJS.ProcessEnv, file: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, [envName, fileKey]] of Object.entries(settings)) {
    const value = env[envName] !== undefined && env[envName] !== "" ? env[envName] : file[fileKey];
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}

/** Names a setting the way an operator sets it: the variable, or the file key. */
function describe(key: string, env: NodeJS.ProcessEnv): string {
  const names = settings[key as Key];
  if (!names) return key;
  return env[names[0]] !== undefined ? names[0] : `${names[0]} (file key ${names[1]})`;
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
function checkTimings(raw: z.infer<typeof Raw>): void {
  if (raw.renewDeadline >= raw.leaseDuration) {
    throw new ConfigError(
      "RENEW_DEADLINE: must be shorter than LEASE_DURATION, so the leader stops work before its lease can expire",
    );
  }
  if (raw.retryPeriod >= raw.renewDeadline) {
    throw new ConfigError(
      "RETRY_PERIOD: must be shorter than RENEW_DEADLINE, so a renewal can be retried before the deadline",
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
    throw new ConfigError(`${describe(key, env)}: ${issue?.message ?? "invalid"}`);
  }
  const raw = parsed.data;
  if (raw.floatingIps.length === 0 && !raw.floatingIpSelector) {
    throw new ConfigError(
      "FLOATING_IPS: list the floating IPs (addresses, names or ids) or set FLOATING_IP_SELECTOR",
    );
  }
  checkTimings(raw);
  let nodeSelector: Selector;
  try {
    nodeSelector = parseSelector(raw.nodeSelector);
  } catch (cause) {
    throw new ConfigError(`NODE_SELECTOR: ${(cause as Error).message}`);
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
