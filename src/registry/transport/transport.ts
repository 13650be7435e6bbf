import { describeError, ExitCode } from "../../errors.ts";
import {
  basicAuthorization,
  fetchToken,
  refusedError,
  repositoryScope,
  type Token,
} from "./auth.ts";
import { type Challenge, parseChallenges } from "./challenge.ts";
import { type CredentialStore, type Credentials, DockerConfigCredentials } from "./credentials.ts";
import { errorFromResponse, RegistryError } from "./errors.ts";
import { type RetryOptions, sendWithRetry } from "./retry.ts";
import { registryBaseUrl } from "./scheme.ts";

/** How a Transport reaches registries. */
export interface TransportOptions {
  /** Where credentials come from (default: the Docker config and its helpers). */
  credentials?: CredentialStore;
  /** Retry policy for 429, 5xx and network errors. */
  retry?: RetryOptions;
  /** Registries that speak plain http besides loopback (default: `SOLERA_INSECURE_REGISTRIES`). */
  insecureRegistries?: string[];
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** One request to a registry's API. */
export interface RegistryRequest {
  /** `host[:port]`. */
  registry: string;
  /** HTTP method. */
  method: "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";
  /** A path below `/v2/` (`library/debian/manifests/12`), or a full URL (a `Link` or `Location`). */
  path: string | URL;
  /** The repository the request acts on, for the token scope. */
  repository?: string;
  /** Whether the request needs push access (scope `pull,push`). */
  push?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The request body; bytes, so that a retry can send it again. */
  body?: Uint8Array;
  /** Statuses that count as success (default: 200). */
  expect?: number[];
}

/** What a ping learned: the challenge (if the registry asks for auth) and the API root. */
export interface PingResult {
  /** The API root, `http(s)://host/v2/`. */
  baseUrl: URL;
  /** The preferred challenge (Bearer over Basic), or undefined when `/v2/` is open. */
  challenge?: Challenge;
}

/**
 * Sends requests to registries: picks http or https, pings once per registry, authenticates
 * (Basic, or Bearer tokens cached per scope), retries 429/5xx/network errors with backoff, and
 * turns failures into RegistryErrors. `requests` counts every HTTP request made.
 */
export class Transport {
  /** The number of HTTP requests made so far, token requests and retries included. */
  requests = 0;
  readonly #options: TransportOptions;
  readonly #credentials: CredentialStore;
  readonly #pings = new Map<string, Promise<PingResult>>();
  readonly #tokens = new Map<string, Token>();
  readonly #fetch: typeof fetch;

  /** A transport with the given options (all optional). */
  constructor(options: TransportOptions = {}) {
    this.#options = options;
    this.#credentials = options.credentials ?? new DockerConfigCredentials();
    const inner = options.fetch ?? fetch;
    this.#fetch = (input, init) => {
      this.requests++;
      return inner(input, init);
    };
  }

  /** Pings a registry (`GET /v2/`) once and remembers its challenge. */
  ping(registry: string): Promise<PingResult> {
    let ping = this.#pings.get(registry);
    if (ping === undefined) {
      ping = this.#ping(registry);
      this.#pings.set(registry, ping);
      ping.catch(() => this.#pings.delete(registry));
    }
    return ping;
  }

  /**
   * Sends an authenticated request and returns the response when its status is expected.
   * A 401 gets one retry with a fresh token; if it persists, the credentials have no access.
   */
  async request(request: RegistryRequest): Promise<Response> {
    const { baseUrl, challenge } = await this.ping(request.registry);
    const url = new URL(request.path, baseUrl);
    this.#checkOrigin(request.registry, url, baseUrl);
    const credentials = await this.#credentials.get(request.registry);
    const scopes = request.repository
      ? [repositoryScope(request.repository, request.push ?? false)]
      : [];

    const first = await this.#authorization(
      request.registry,
      challenge,
      scopes,
      credentials,
      false,
    );
    let response = await this.#send(request, url, first);
    if (response.status === 401) {
      await response.body?.cancel().catch(() => undefined);
      const next = preferredChallenge(parseChallenges(response.headers.get("www-authenticate")));
      const second = await this.#reauthorize(
        request.registry,
        next ?? challenge,
        scopes,
        credentials,
        first,
      );
      response = await this.#send(request, url, second);
      if (response.status === 401 && second?.startsWith("Basic ")) {
        await response.body?.cancel().catch(() => undefined);
        throw refusedError(request.registry, credentials);
      }
    }

    if (response.status === 401 || response.status === 403) {
      throw await noAccessError(request, url, response, credentials);
    }
    if (!(request.expect ?? [200]).includes(response.status)) {
      throw await errorFromResponse(request.method, url, response);
    }
    return response;
  }

  async #ping(registry: string): Promise<PingResult> {
    const baseUrl = registryBaseUrl(registry, this.#options.insecureRegistries);
    const response = await this.#sendRaw(registry, "GET", baseUrl, {});
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 200) return { baseUrl };
    if (response.status === 401) {
      const challenge = preferredChallenge(
        parseChallenges(response.headers.get("www-authenticate")),
      );
      return { baseUrl, challenge };
    }
    throw new RegistryError(
      `${baseUrl.host} does not answer like an OCI distribution registry: GET /v2/ gave ${response.status} ${response.statusText}`,
      { method: "GET", url: baseUrl, status: response.status, exitCode: ExitCode.environment },
    );
  }

  /**
   * The authorization for the one retry after a 401: a fresh token for the challenge's scope and
   * ours, or Basic credentials if none were sent yet. Throws when there is nothing new to try.
   */
  async #reauthorize(
    registry: string,
    challenge: Challenge | undefined,
    scopes: string[],
    credentials: Credentials | undefined,
    sent: string | undefined,
  ): Promise<string | undefined> {
    if (challenge?.scheme === "bearer") {
      const wanted = union(scopes, challenge.parameters.scope);
      return this.#authorization(registry, challenge, wanted, credentials, true);
    }
    if (
      challenge?.scheme === "basic" &&
      sent === undefined &&
      credentials?.username !== undefined
    ) {
      return basicAuthorization(credentials);
    }
    throw refusedError(registry, sent === undefined ? undefined : credentials);
  }

  async #authorization(
    registry: string,
    challenge: Challenge | undefined,
    scopes: string[],
    credentials: Credentials | undefined,
    fresh: boolean,
  ): Promise<string | undefined> {
    if (challenge === undefined) return undefined;
    if (challenge.scheme === "basic") {
      return credentials?.username === undefined ? undefined : basicAuthorization(credentials);
    }
    const key = `${challenge.parameters.realm}|${challenge.parameters.service}|${[...scopes].sort().join(" ")}`;
    const cached = this.#tokens.get(key);
    if (!fresh && cached !== undefined && cached.expiresAt > Date.now())
      return `Bearer ${cached.value}`;

    const request = { registry, challenge, scopes, credentials };
    const token = await fetchToken(this.#fetch, request, this.#options.retry);
    this.#tokens.set(key, token);
    return `Bearer ${token.value}`;
  }

  #send(request: RegistryRequest, url: URL, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    return this.#sendRaw(request.registry, request.method, url, headers, request.body);
  }

  async #sendRaw(
    registry: string,
    method: string,
    url: URL,
    headers: Record<string, string>,
    body?: Uint8Array,
  ): Promise<Response> {
    const init: RequestInit = { method, headers, body: body as RequestInit["body"] };
    const outcome = await sendWithRetry(() => this.#fetch(url, init), this.#options.retry);
    if ("response" in outcome) return outcome.response;
    throw new RegistryError(`cannot reach registry ${registry}: ${describeError(outcome.error)}`, {
      method,
      url,
      retryable: true,
      exitCode: ExitCode.environment,
      hint: `check that ${registry} is up and reachable from here`,
      cause: outcome.error,
    });
  }

  // A Link or Location that points at another origin would receive this registry's token; the
  // distribution spec has them relative to the registry, so anything else is refused.
  #checkOrigin(registry: string, url: URL, baseUrl: URL): void {
    if (url.origin === baseUrl.origin) return;
    throw new RegistryError(
      `registry ${registry} pointed at another origin (${url.origin}); refusing to send its credentials there`,
      {
        url,
      },
    );
  }
}

/** Bearer is preferred over Basic; other schemes are not supported. */
function preferredChallenge(challenges: Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic")
  );
}

function union(scopes: string[], extra: string | undefined): string[] {
  const all = new Set(scopes);
  for (const scope of (extra ?? "").split(" ")) if (scope !== "") all.add(scope);
  return [...all];
}

async function noAccessError(
  request: RegistryRequest,
  url: URL,
  response: Response,
  credentials: Credentials | undefined,
): Promise<RegistryError> {
  const cause = await errorFromResponse(request.method, url, response);
  const what =
    request.repository === undefined ? "this registry" : `repository ${request.repository}`;
  const message =
    credentials === undefined
      ? `anonymous access to ${what} on ${request.registry} is denied`
      : `the credentials for ${request.registry} have no access to ${what}`;
  return new RegistryError(message, {
    method: request.method,
    url,
    status: response.status,
    codes: cause.codes,
    exitCode: ExitCode.auth,
    hint: `ask for ${request.push ? "push" : "pull"} access to it, or log in as a user who has it (docker login ${request.registry})`,
    cause,
  });
}
