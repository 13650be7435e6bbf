import { z } from "zod";
import { ExitCode } from "../../errors.ts";
import type { Challenge } from "./challenge.ts";
import type { Credentials } from "./credentials.ts";
import { errorFromResponse, RegistryError } from "./errors.ts";
import { registerSecret } from "./redact.ts";
import { type RetryOptions, sendWithRetry } from "./retry.ts";

/** The token endpoint's answer; Docker's realm says `token`, OAuth2 ones say `access_token`. */
export const TokenResponseSchema = z
  .object({
    token: z.string().optional(),
    access_token: z.string().optional(),
    expires_in: z.number().optional(),
    issued_at: z.string().optional(),
  })
  .refine((value) => value.token !== undefined || value.access_token !== undefined, {
    message: "the answer has neither token nor access_token",
  });
/** The token endpoint's answer. */
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** A bearer token and when it stops being usable. */
export interface Token {
  /** The token itself; registered as a secret. */
  value: string;
  /** Milliseconds since the epoch after which the token is fetched again. */
  expiresAt: number;
}

/** What to ask a token realm for. */
export interface TokenRequest {
  /** The registry the token is for (for messages). */
  registry: string;
  /** The Bearer challenge: realm and service. */
  challenge: Challenge;
  /** Scopes such as `repository:library/debian:pull`. */
  scopes: string[];
  /** Credentials, or undefined for an anonymous token. */
  credentials?: Credentials;
}

// The distribution token spec says a token without expires_in lasts 60 seconds. Refetch a little
// early so a token does not expire between the check and the request.
const DEFAULT_LIFETIME_S = 60;
const EARLY_REFRESH_MS = 10_000;

/** The scope of a repository: `repository:<name>:pull` or `repository:<name>:pull,push`. */
export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}

/** An `Authorization` value for Basic auth; the encoded pair is registered as a secret. */
export function basicAuthorization(credentials: Credentials): string {
  const encoded = Buffer.from(
    `${credentials.username ?? ""}:${credentials.password ?? ""}`,
  ).toString("base64");
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

/** Who the credentials are, for messages: `user solera`, `an identity token`, `anonymous`. */
export function describeCredentials(credentials: Credentials | undefined): string {
  if (credentials === undefined) return "anonymous";
  if (credentials.identityToken !== undefined) return "an identity token";
  return `user ${credentials.username ?? ""}`;
}

/** The error for credentials a registry or its token realm refused (401). */
export function refusedError(
  registry: string,
  credentials: Credentials | undefined,
  cause?: unknown,
): RegistryError {
  if (credentials === undefined) {
    return new RegistryError(`registry ${registry} requires credentials`, {
      status: 401,
      exitCode: ExitCode.auth,
      hint: `run docker login ${registry}, or add the registry to the Docker config`,
      cause,
    });
  }
  return new RegistryError(
    `registry ${registry} refused the credentials of ${describeCredentials(credentials)}`,
    {
      status: 401,
      exitCode: ExitCode.auth,
      hint: `check the credentials stored for ${registry} in the Docker config (docker login ${registry})`,
      cause,
    },
  );
}

/**
 * Fetches a bearer token from the challenge's realm: GET with service and scope, Basic
 * credentials when there are any; with an identity token, the OAuth2 refresh-token POST.
 * `send` is the counted fetch of the transport.
 */
export async function fetchToken(
  send: typeof fetch,
  request: TokenRequest,
  retry?: RetryOptions,
): Promise<Token> {
  const realm = request.challenge.parameters.realm;
  if (realm === undefined) {
    throw new RegistryError(`registry ${request.registry} sent a Bearer challenge without a realm`);
  }
  const { url, init } = tokenRequestInit(realm, request);
  const outcome = await sendWithRetry(() => send(url, init), retry);
  if ("error" in outcome) {
    throw new RegistryError(
      `cannot reach the token service of ${request.registry} at ${url.origin}`,
      {
        method: init.method,
        url,
        retryable: true,
        exitCode: ExitCode.environment,
        cause: outcome.error,
      },
    );
  }

  const response = outcome.response;
  if (response.status === 401 || response.status === 403) {
    throw refusedError(
      request.registry,
      request.credentials,
      await errorFromResponse(init.method ?? "GET", url, response),
    );
  }
  if (!response.ok) throw await errorFromResponse(init.method ?? "GET", url, response);
  return readToken(request.registry, await response.text());
}

function tokenRequestInit(realm: string, request: TokenRequest): { url: URL; init: RequestInit } {
  const url = new URL(realm);
  const service = request.challenge.parameters.service;
  const identityToken = request.credentials?.identityToken;

  if (identityToken !== undefined) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: identityToken,
      client_id: "solera",
    });
    if (service !== undefined) form.set("service", service);
    if (request.scopes.length > 0) form.set("scope", request.scopes.join(" "));
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    return { url, init: { method: "POST", headers, body: form.toString() } };
  }

  if (service !== undefined) url.searchParams.set("service", service);
  for (const scope of request.scopes) url.searchParams.append("scope", scope);
  const headers: Record<string, string> = {};
  if (request.credentials !== undefined)
    headers.authorization = basicAuthorization(request.credentials);
  return { url, init: { method: "GET", headers } };
}

function readToken(registry: string, body: string): Token {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const parsed = TokenResponseSchema.safeParse(json);
  if (!parsed.success) {
    throw new RegistryError(`the token service of ${registry} answered without a token`);
  }
  const value = parsed.data.token ?? parsed.data.access_token ?? "";
  registerSecret(value);
  const issuedAt =
    parsed.data.issued_at === undefined ? Date.now() : Date.parse(parsed.data.issued_at);
  const lifetime = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
  const start = Number.isNaN(issuedAt) ? Date.now() : Math.min(issuedAt, Date.now());
  return { value, expiresAt: start + lifetime - EARLY_REFRESH_MS };
}
