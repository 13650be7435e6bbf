import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../../errors.ts";
import { runCredentialHelper } from "./credential-helper.ts";
import { registerSecret } from "./redact.ts";

/** Credentials for one registry: a user and password, or an identity (refresh) token. */
export interface Credentials {
  /** The user name; absent with an identity token. */
  username?: string;
  /** The password or access token. */
  password?: string;
  /** An OAuth2 refresh token, traded at the token realm (what `docker login` stores for some registries). */
  identityToken?: string;
}

/** Finds the credentials for a registry host; `undefined` means anonymous. */
export interface CredentialStore {
  /** The credentials for a registry (`host[:port]`, `docker.io` for Docker Hub). */
  get(registry: string): Promise<Credentials | undefined>;
}

/** Docker Hub's key in the Docker config and in credential helpers. */
export const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";

const AuthEntrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});

/** The parts of `~/.docker/config.json` that hold credentials. */
export const DockerConfigSchema = z.object({
  auths: z.record(z.string(), AuthEntrySchema).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});
/** The parts of the Docker config solera reads. */
export type DockerConfig = z.infer<typeof DockerConfigSchema>;

/** The Docker config path: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.DOCKER_CONFIG ?? join(homedir(), ".docker");
  return join(folder, "config.json");
}

/** The key a registry has in the Docker config: Docker Hub's legacy URL, the host otherwise. */
export function serverKey(registry: string): string {
  return registry === "docker.io" ? DOCKER_HUB_SERVER : registry;
}

/** `https://host/v1/` and `host` name the same registry in `auths`; this gives the host. */
function normaliseKey(key: string): string {
  if (key === DOCKER_HUB_SERVER || /^(?:https?:\/\/)?(?:index|registry-1)\.docker\.io/.test(key)) {
    return "docker.io";
  }
  return key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

/**
 * Credentials from the Docker config the way the Docker CLI finds them: a `credHelpers` entry
 * for the host, else the `credsStore`, else the `auths` entry. The config is read once.
 */
export class DockerConfigCredentials implements CredentialStore {
  readonly #path: string;
  #config?: Promise<DockerConfig>;

  /** Reads the config at `path` (default: `dockerConfigPath()`) on first use. */
  constructor(path: string = dockerConfigPath()) {
    this.#path = path;
  }

  /** The credentials for a registry, or `undefined` for anonymous access. */
  async get(registry: string): Promise<Credentials | undefined> {
    this.#config ??= readDockerConfig(this.#path);
    const config = await this.#config;
    const wanted = normaliseKey(registry);
    const helperEntry = Object.entries(config.credHelpers ?? {}).find(
      ([key]) => normaliseKey(key) === wanted,
    );
    const helper = helperEntry?.[1] ?? config.credsStore;
    if (helper !== undefined) {
      const fromHelper = await runCredentialHelper(helper, serverKey(registry));
      if (fromHelper !== undefined || helperEntry !== undefined) return fromHelper;
    }
    const entry = Object.entries(config.auths ?? {}).find(([key]) => normaliseKey(key) === wanted);
    return entry === undefined ? undefined : fromAuthEntry(entry[1], this.#path);
  }
}

async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UserError(`cannot read the Docker config ${path}`, { cause: error });
  }
  const parsed = DockerConfigSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new UserError(
      `the Docker config ${path} is not valid JSON with auths, credHelpers and credsStore`,
      {
        hint: "fix the file or point DOCKER_CONFIG at another folder",
      },
    );
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fromAuthEntry(entry: z.infer<typeof AuthEntrySchema>, path: string): Credentials {
  registerSecret(entry.identitytoken);
  registerSecret(entry.password);
  registerSecret(entry.auth);
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth === undefined) return { username: entry.username, password: entry.password };

  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) {
    throw new UserError(
      `an auth entry in the Docker config ${path} is not base64 of user:password`,
      {
        hint: "run docker login again for that registry",
      },
    );
  }
  const password = decoded.slice(colon + 1);
  registerSecret(password);
  return { username: decoded.slice(0, colon), password };
}

/** Fixed credentials per registry host (for tests and for credentials passed on the command line). */
export class StaticCredentials implements CredentialStore {
  readonly #byRegistry: Record<string, Credentials>;

  /** Uses the given credentials per registry; their secrets are registered for redaction. */
  constructor(byRegistry: Record<string, Credentials>) {
    this.#byRegistry = byRegistry;
    for (const credentials of Object.values(byRegistry)) {
      registerSecret(credentials.password);
      registerSecret(credentials.identityToken);
    }
  }

  /** The credentials for a registry, or undefined. */
  async get(registry: string): Promise<Credentials | undefined> {
    return this.#byRegistry[registry];
  }
}
