import { execFile } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { promisify } from "node:util";

/** A running token service for a distribution registry configured with `auth.token`. */
export interface TokenServer {
  /** The realm URL to configure in the registry. */
  realm: string;
  /** The `service` (token audience). */
  service: string;
  /** The `issuer`. */
  issuer: string;
  /** Path to the PEM certificate the registry trusts (`rootcertbundle`). */
  certificatePath: string;
  /** The number of token requests answered so far. */
  requests: number;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Who may do what: users with passwords, and repositories nobody may touch. */
export interface TokenPolicy {
  /** Users and their passwords; a request with other credentials gets 401. */
  users: Record<string, string>;
  /** Repositories for which the token grants no actions at all (to provoke a persisting 401). */
  deniedRepositories?: string[];
  /** Identity (refresh) tokens and the user each stands for, traded by OAuth2 POST. */
  identityTokens?: Record<string, string>;
}

const run = promisify(execFile);

/**
 * Starts an in-process token service on loopback that signs RS256 JWTs the way the distribution
 * registry's token auth expects (docs: spec/auth/jwt.md): `iss`, `sub`, `aud` (the service),
 * `exp`/`nbf`/`iat`, `jti` and the `access` claim with type, name and actions; the header's
 * `kid` is the libtrust fingerprint of the signing key, which the registry derives from the
 * certificates in its `rootcertbundle`. Anonymous clients are granted pull only.
 */
export async function startTokenServer(folder: string, policy: TokenPolicy): Promise<TokenServer> {
  const keyPath = join(folder, "token.key");
  const certificatePath = join(folder, "token.crt");
  await run("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
    ...["-keyout", keyPath, "-out", certificatePath, "-subj", "/CN=solera test token issuer"],
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const kid = libtrustKeyId(createPublicKey(key).export({ type: "spki", format: "der" }));
  const issuer = "solera-test-issuer";
  const service = "solera-test-registry";

  const state = { requests: 0 };
  const server = createServer((request, response) => {
    state.requests++;
    answer(request, response, { policy, issuer, service, kid, key }).catch(() =>
      response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificatePath,
    get requests() {
      return state.requests;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Signer {
  policy: TokenPolicy;
  issuer: string;
  service: string;
  kid: string;
  key: ReturnType<typeof createPrivateKey>;
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  signer: Signer,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://token");
  let subject = authenticate(request.headers.authorization, signer.policy);

  // Docker's OAuth2 flow: an identity token is traded with a form POST (grant_type=refresh_token),
  // and the form carries service and a space-separated scope instead of the query.
  if (request.method === "POST") {
    const form = new URLSearchParams(await text(request));
    const user = signer.policy.identityTokens?.[form.get("refresh_token") ?? ""];
    subject = form.get("grant_type") === "refresh_token" ? user : undefined;
    url.searchParams.set("service", form.get("service") ?? signer.service);
    for (const scope of (form.get("scope") ?? "").split(" ").filter(Boolean)) {
      url.searchParams.append("scope", scope);
    }
  }
  if (subject === undefined) {
    response.writeHead(401, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "invalid credentials" }] }),
    );
    return;
  }

  const access = url.searchParams
    .getAll("scope")
    .flatMap((scope) => grant(scope, subject, signer.policy));
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: signer.issuer,
    sub: subject,
    aud: url.searchParams.get("service") ?? signer.service,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  };
  const token = signJwt({ typ: "JWT", alg: "RS256", kid: signer.kid }, claims, signer.key);
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({ token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() }),
  );
}

/** The user name, `""` for anonymous, or undefined when the credentials are wrong. */
function authenticate(header: string | undefined, policy: TokenPolicy): string | undefined {
  if (header === undefined) return "";
  const decoded = Buffer.from(header.replace(/^Basic\s+/i, ""), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  return colon !== -1 && policy.users[user] === decoded.slice(colon + 1) ? user : undefined;
}

function grant(scope: string, subject: string, policy: TokenPolicy) {
  const [type, name, actions] = scope.split(":");
  if (type !== "repository" || name === undefined || actions === undefined) return [];
  if (policy.deniedRepositories?.includes(name)) return [{ type, name, actions: [] }];
  const wanted = actions.split(",");
  const allowed = subject === "" ? wanted.filter((action) => action === "pull") : wanted;
  return [{ type, name, actions: allowed }];
}

function signJwt(header: object, claims: object, key: ReturnType<typeof createPrivateKey>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = sign("sha256", Buffer.from(input), key).toString("base64url");
  return `${input}.${signature}`;
}

/** libtrust's key id: SHA-256 of the DER public key, first 240 bits, base32, groups of four. */
function libtrustKeyId(der: Buffer): string {
  const digest = createHash("sha256").update(der).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const byte of digest) bits += byte.toString(2).padStart(8, "0");
  let encoded = "";
  for (let index = 0; index < bits.length; index += 5) {
    encoded += alphabet[Number.parseInt(bits.slice(index, index + 5), 2)];
  }
  return encoded.match(/.{4}/g)?.join(":") ?? encoded;
}
