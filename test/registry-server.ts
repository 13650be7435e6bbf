import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { RegistryClient } from "../src/registry/client.ts";
import { MediaType } from "../src/registry/media-types.ts";
import { type Credentials, StaticCredentials } from "../src/registry/transport/credentials.ts";
import type { RetryOptions } from "../src/registry/transport/retry.ts";
import { startTokenServer, type TokenServer } from "./token-server.ts";

/** The distribution registry binary from Debian's docker-registry package. */
export const REGISTRY_BINARY = "/usr/bin/docker-registry";

/** How a test registry authenticates. */
export interface RegistryServerOptions {
  /** `none` (default), `htpasswd` (Basic) or `token` (Bearer through an in-process token server). */
  auth?: "none" | "htpasswd" | "token";
  /** With `token`: repositories the token server grants no actions on. */
  deniedRepositories?: string[];
  /** With `token`: an identity token the token server accepts for the user. */
  identityToken?: string;
}

/** A running registry on loopback. */
export interface RegistryServer {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** The user with access (htpasswd and token). */
  username?: string;
  /** That user's password. */
  password?: string;
  /** The token server (token auth only). */
  tokenServer?: TokenServer;
  /** Kills the registry (and the token server) and removes its storage. */
  stop(): Promise<void>;
}

const run = promisify(execFile);

/**
 * The reason to skip registry tests, or `false` to run them. Under `CI=true` a missing registry
 * is not a reason: the tests run and fail.
 */
export function registrySkipReason(): string | false {
  if (existsSync(REGISTRY_BINARY) || process.env.CI === "true") return false;
  return `${REGISTRY_BINARY} is missing (apt-get install docker-registry)`;
}

/**
 * Starts `docker-registry serve` on a free loopback port with temporary storage and the given
 * auth, and waits until it answers `GET /v2/`.
 */
export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const folder = await mkdtemp(join(tmpdir(), "solera-registry-"));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const username = options.auth === "none" || options.auth === undefined ? undefined : "solera";
  const password = username === undefined ? undefined : `pw-${Math.random().toString(36).slice(2)}`;
  const { auth, tokenServer } = await authConfig(folder, options, username, password);

  const config = {
    version: 0.1,
    log: { level: "error", accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(folder, "data") }, delete: { enabled: true } },
    http: { addr: host, secret: "solera-test-secret" },
    ...(auth === undefined ? {} : { auth }),
  };
  const configPath = join(folder, "config.yml");
  await writeFile(configPath, stringify(config));

  const child = spawn(REGISTRY_BINARY, ["serve", configPath], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await tokenServer?.stop();
    await rm(folder, { recursive: true, force: true });
  };

  try {
    await waitUntilServing(host, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host, username, password, tokenServer, stop };
}

async function authConfig(
  folder: string,
  options: RegistryServerOptions,
  username: string | undefined,
  password: string | undefined,
): Promise<{ auth?: object; tokenServer?: TokenServer }> {
  if (username === undefined || password === undefined) return {};
  if (options.auth === "htpasswd") {
    const { stdout } = await run("htpasswd", ["-Bbn", username, password]);
    const path = join(folder, "htpasswd");
    await writeFile(path, stdout);
    return { auth: { htpasswd: { realm: "solera-test", path } } };
  }

  const tokenServer = await startTokenServer(folder, {
    users: { [username]: password },
    deniedRepositories: options.deniedRepositories,
    identityTokens:
      options.identityToken === undefined ? {} : { [options.identityToken]: username },
  });
  const token = {
    realm: tokenServer.realm,
    service: tokenServer.service,
    issuer: tokenServer.issuer,
    rootcertbundle: tokenServer.certificatePath,
  };
  return { auth: { token }, tokenServer };
}

/**
 * A RegistryClient that reads no Docker config: it logs in with exactly these credentials, by
 * registry host (none by default), and retries as asked.
 */
export function staticClient(
  credentials: Record<string, Credentials> = {},
  retry?: RetryOptions,
): RegistryClient {
  return new RegistryClient({ credentials: new StaticCredentials(credentials), retry });
}

/**
 * Credentials that log in as the server's user at `host`: the server itself by default, or a
 * proxy in front of it. None for a server without auth.
 */
export function serverLogin(
  server: RegistryServer,
  host = server.host,
  password = server.password,
): Record<string, Credentials> {
  return server.username === undefined ? {} : { [host]: { username: server.username, password } };
}

/** A port the kernel just handed out on loopback; free unless another process races for it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port was assigned");
  return address.port;
}

async function waitUntilServing(
  host: string,
  child: ReturnType<typeof spawn>,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode} before serving:\n${log()}`);
    }
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.body?.cancel();
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`docker-registry did not answer on ${host} within 15 seconds:\n${log()}`);
}

/** What `pushSmallImage` pushed. */
export interface PushedImage {
  /** The manifest digest. */
  digest: string;
  /** The manifest bytes as pushed. */
  bytes: Uint8Array;
  /** The manifest media type. */
  mediaType: string;
}

/**
 * Pushes a tiny image (a config blob and one layer blob) with an image manifest of the given
 * media type (Docker v2 or OCI) under a tag, through the client under test.
 */
export async function pushSmallImage(
  client: RegistryClient,
  registry: string,
  repository: string,
  tag: string,
  mediaType: string = MediaType.ociManifest,
): Promise<PushedImage> {
  const docker = mediaType === MediaType.dockerManifest;
  const config = await client.pushBlob(
    registry,
    repository,
    new TextEncoder().encode(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [] },
        tag,
      }),
    ),
    docker ? MediaType.dockerConfig : MediaType.ociConfig,
  );
  const layer = await client.pushBlob(
    registry,
    repository,
    gzipSync(Buffer.from(`layer of ${repository}:${tag}`)),
    docker ? MediaType.dockerLayer : MediaType.ociLayer,
  );
  const manifest = { schemaVersion: 2, mediaType, config, layers: [layer] };
  // Two-space indentation: the registry must keep these exact bytes, not a re-serialisation.
  const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  const digest = await client.putManifest({ registry, repository, tag }, bytes, mediaType);
  return { digest, bytes, mediaType };
}
