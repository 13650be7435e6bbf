import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Fault, startFaultProxy } from "../../test/fault-proxy.ts";
import {
  freePort,
  type PushedImage,
  pushSmallImage,
  type RegistryServer,
  registrySkipReason,
  startRegistry,
  staticClient,
} from "../../test/registry-server.ts";
import { ExitCode } from "../errors.ts";
import { RegistryError } from "./transport/errors.ts";

const skip = registrySkipReason();
const REPOSITORY = "flaky/app";
const onManifests = (method: string, path: string) =>
  method === "HEAD" && path.includes("/manifests/");

const newClient = (attempts = 4) =>
  staticClient({}, { attempts, baseDelayMs: 20, maxDelayMs: 100 });

describe("retries through a fault-injecting proxy", { skip }, () => {
  let server: RegistryServer;
  let image: PushedImage;

  before(async () => {
    server = await startRegistry({ auth: "none" });
    image = await pushSmallImage(newClient(), server.host, REPOSITORY, "1.0");
  });
  after(() => server?.stop());

  async function resolveThrough(faults: Fault[], client = newClient()) {
    const proxy = await startFaultProxy(server.host, faults);
    try {
      const ref = { registry: proxy.host, repository: REPOSITORY, tag: "1.0" };
      const started = Date.now();
      const outcome = await client.resolveDigest(ref).catch((error: unknown) => error);
      return { outcome, elapsed: Date.now() - started, proxy, client };
    } finally {
      await proxy.stop();
    }
  }

  test("waits as long as Retry-After says after a 429, then succeeds", async () => {
    const { outcome, elapsed, proxy } = await resolveThrough([
      { status: 429, times: 1, headers: { "retry-after": "1" }, match: onManifests },
    ]);
    assert.deepEqual(outcome, { digest: image.digest, mediaType: image.mediaType });
    assert.equal(proxy.injected, 1);
    assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
  });

  test("retries 503 twice and then succeeds", async () => {
    const { outcome, proxy, client } = await resolveThrough([
      { status: 503, times: 2, match: onManifests },
    ]);
    assert.deepEqual(outcome, { digest: image.digest, mediaType: image.mediaType });
    assert.equal(proxy.injected, 2);
    assert.equal(client.requests, 4, "a ping and three HEADs");
  });

  test("retries a dropped connection", async () => {
    const { outcome, proxy } = await resolveThrough([
      { status: "reset", times: 1, match: onManifests },
    ]);
    assert.deepEqual(outcome, { digest: image.digest, mediaType: image.mediaType });
    assert.equal(proxy.injected, 1);
  });

  test("fails a persistent 500 as retryable after the bounded attempts", async () => {
    const { outcome, proxy } = await resolveThrough(
      [{ status: 500, times: 100, match: onManifests }],
      newClient(3),
    );
    assert.ok(outcome instanceof RegistryError);
    assert.equal(
      outcome.message,
      `HEAD http://${proxy.host}/v2/${REPOSITORY}/manifests/1.0 failed: 500 Internal Server Error`,
    );
    assert.equal(outcome.status, 500);
    assert.equal(outcome.method, "HEAD");
    assert.equal(outcome.retryable, true);
    assert.equal(proxy.injected, 3);
  });
});

test("says a registry is unreachable, as retryable, after the bounded attempts", async () => {
  const host = `127.0.0.1:${await freePort()}`;
  const client = newClient(2);
  const error = await client.ping(host).catch((caught: unknown) => caught);
  assert.ok(error instanceof RegistryError);
  assert.match(
    error.message,
    new RegExp(`^cannot reach registry ${host.replace(/\./g, "\\.")}: fetch failed`),
  );
  assert.equal(error.retryable, true);
  assert.equal(error.exitCode, ExitCode.environment);
  assert.equal(client.requests, 2);
});
