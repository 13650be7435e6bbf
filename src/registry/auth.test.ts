import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  pushSmallImage,
  type RegistryServer,
  registrySkipReason,
  serverLogin,
  startRegistry,
  staticClient,
} from "../../test/registry-server.ts";
import { ExitCode } from "../errors.ts";
import { RegistryError } from "./transport/errors.ts";

const skip = registrySkipReason();
const IDENTITY_TOKEN = "identity-7c1f0e2d9b";

const FAST = { baseDelayMs: 5 };
const clientFor = (server: RegistryServer, password = server.password) =>
  staticClient(serverLogin(server, server.host, password), FAST);
const anonymous = () => staticClient({}, FAST);

/** Asserts the rejection is a RegistryError with this exact message and exit code. */
async function rejectsWith(promise: Promise<unknown>, message: string, exitCode: number) {
  const error = await promise.then(
    () => assert.fail("expected a RegistryError"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof RegistryError, String(error));
  assert.equal(error.message, message);
  assert.equal(error.exitCode, exitCode);
  assert.equal(error.retryable, false);
  return error;
}

describe("a registry without auth", { skip }, () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistry({ auth: "none" });
  });
  after(() => server?.stop());

  test("answers a ping as open and serves anonymous pulls", async () => {
    const client = anonymous();
    assert.deepEqual(await client.ping(server.host), { auth: "none" });
    const pushed = await pushSmallImage(client, server.host, "open/app", "1.0");
    const resolved = await client.resolveDigest({
      registry: server.host,
      repository: "open/app",
      tag: "1.0",
    });
    assert.equal(resolved.digest, pushed.digest);
  });
});

describe("a registry with htpasswd (Basic) auth", { skip }, () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistry({ auth: "htpasswd" });
  });
  after(() => server?.stop());

  test("pushes and reads back with the right password", async () => {
    const client = clientFor(server);
    assert.deepEqual(await client.ping(server.host), { auth: "basic" });
    const pushed = await pushSmallImage(client, server.host, "basic/app", "1.0");
    const manifest = await client.getManifest({
      registry: server.host,
      repository: "basic/app",
      tag: "1.0",
    });
    assert.equal(manifest.digest, pushed.digest);
  });

  test("says the registry refused a wrong password", async () => {
    const client = clientFor(server, "wrong-password-123");
    const ref = { registry: server.host, repository: "basic/app", tag: "1.0" };
    const error = await rejectsWith(
      client.resolveDigest(ref),
      `registry ${server.host} refused the credentials of user solera`,
      ExitCode.auth,
    );
    assert.equal(error.status, 401);
  });

  test("says credentials are needed when there are none", async () => {
    const ref = { registry: server.host, repository: "basic/app", tag: "1.0" };
    await rejectsWith(
      anonymous().resolveDigest(ref),
      `registry ${server.host} requires credentials`,
      ExitCode.auth,
    );
  });
});

describe("a registry with token (Bearer) auth", { skip }, () => {
  let server: RegistryServer;
  before(async () => {
    server = await startRegistry({
      auth: "token",
      deniedRepositories: ["locked/app"],
      identityToken: IDENTITY_TOKEN,
    });
  });
  after(() => server?.stop());

  test("fetches a token per scope and reuses it", async () => {
    const client = clientFor(server);
    assert.deepEqual(await client.ping(server.host), { auth: "bearer" });
    const pushed = await pushSmallImage(client, server.host, "token/app", "1.0");

    const reader = clientFor(server);
    const ref = { registry: server.host, repository: "token/app", tag: "1.0" };
    assert.equal((await reader.resolveDigest(ref)).digest, pushed.digest);
    // GET /v2/ (the challenge), GET <realm> (the token), HEAD the manifest.
    assert.equal(reader.requests, 3);
    assert.equal((await reader.getManifest(ref)).digest, pushed.digest);
    assert.equal(reader.requests, 4, "the cached pull token serves the second request");
  });

  test("trades an identity token for a bearer token", async () => {
    await pushSmallImage(clientFor(server), server.host, "token/identity", "1.0");
    const client = staticClient({ [server.host]: { identityToken: IDENTITY_TOKEN } });
    const ref = { registry: server.host, repository: "token/identity", tag: "1.0" };
    assert.match((await client.resolveDigest(ref)).digest, /^sha256:/);

    const wrong = staticClient({ [server.host]: { identityToken: "stale-identity-1" } });
    await rejectsWith(
      wrong.resolveDigest(ref),
      `registry ${server.host} refused the credentials of an identity token`,
      ExitCode.auth,
    );
  });

  test("lets anonymous clients pull what the token service grants them", async () => {
    await pushSmallImage(clientFor(server), server.host, "token/public", "1.0");
    const ref = { registry: server.host, repository: "token/public", tag: "1.0" };
    assert.match((await anonymous().resolveDigest(ref)).digest, /^sha256:/);
  });

  test("says the token service refused a wrong password", async () => {
    const ref = { registry: server.host, repository: "token/app", tag: "1.0" };
    await rejectsWith(
      clientFor(server, "not-the-password-1").resolveDigest(ref),
      `registry ${server.host} refused the credentials of user solera`,
      ExitCode.auth,
    );
  });

  test("says the credentials have no access when a fresh token still gets 401", async () => {
    const client = clientFor(server);
    const tokensBefore = server.tokenServer?.requests ?? 0;
    const ref = { registry: server.host, repository: "locked/app", tag: "1.0" };
    const error = await rejectsWith(
      client.resolveDigest(ref),
      `the credentials for ${server.host} have no access to repository locked/app`,
      ExitCode.auth,
    );
    assert.equal(error.status, 401);
    assert.equal(
      (server.tokenServer?.requests ?? 0) - tokensBefore,
      2,
      "one token, then one fresh token",
    );
  });

  test("keeps the password and the token out of error messages and stacks", async () => {
    const client = clientFor(server);
    const ref = { registry: server.host, repository: "locked/app", tag: "1.0" };
    const error = await client.resolveDigest(ref).catch((caught: unknown) => caught);
    assert.ok(error instanceof RegistryError);
    const texts = collectTexts(error);
    assert.ok(server.password !== undefined && server.password.length > 4);
    for (const text of texts) {
      assert.ok(!text.includes(server.password), "the password leaked");
      assert.ok(!/Bearer\s+ey/.test(text) && !/eyJ[\w-]+\.eyJ/.test(text), "a token leaked");
      assert.ok(!text.includes(Buffer.from(`solera:${server.password}`).toString("base64")));
    }
  });
});

function collectTexts(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    texts.push(String(current), current.stack ?? "", JSON.stringify(current));
    current = current.cause;
  }
  return texts;
}
