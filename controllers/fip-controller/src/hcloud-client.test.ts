import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { HcloudClient, type HcloudError } from "./hcloud/client.ts";

type Answer = { status: number; headers?: Record<string, string>; body: string };

/** A one-route API that answers from a queue and counts requests. */
async function fakeApi(t: { after: (fn: () => void) => void }, answers: Answer[]) {
  const seen: number[] = [];
  const server = http.createServer((req, res) => {
    seen.push(Date.now());
    req.resume();
    const a = answers.shift() ?? { status: 200, body: '{"floating_ips":[]}' };
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const client = new HcloudClient({ endpoint, token: "t", userAgent: "test", attempts: 2 });
  return { client, seen };
}

const empty = '{"floating_ips":[]}';

test("a non-JSON 502 page is a retryable HTTP error that keeps its status", async (t) => {
  const page = { status: 502, headers: { "content-type": "text/html" }, body: "<html>502</html>" };
  const { client, seen } = await fakeApi(t, [page, page]);
  await assert.rejects(client.listFloatingIps(), (error: HcloudError) => {
    assert.equal(error.status, 502);
    assert.equal(error.retryable, true);
    assert.match((error.cause as Error).message, /502 with a non-JSON answer/);
    return true;
  });
  assert.equal(seen.length, 2, "retried once (attempts: 2)");
});

test("Retry-After holds every later request of the client, not only the one answered", async (t) => {
  const limited = {
    status: 429,
    headers: { "Retry-After": "60" },
    body: '{"error":{"code":"rate_limit_exceeded","message":"x"}}',
  };
  const { client, seen } = await fakeApi(t, [limited]);
  await assert.rejects(client.listFloatingIps(undefined, AbortSignal.timeout(800)));
  await assert.rejects(client.listServers(AbortSignal.timeout(300)), { name: "AbortError" });
  assert.equal(seen.length, 1);
});

test("RateLimit-Remaining 0 waits until RateLimit-Reset, at most 15 minutes", async (t) => {
  const reset = String(Math.floor(Date.now() / 1000) + 2);
  const drained = {
    status: 200,
    headers: { "RateLimit-Remaining": "0", "RateLimit-Reset": reset },
    body: empty,
  };
  const { client, seen } = await fakeApi(t, [drained]);
  await client.listFloatingIps();
  await client.listFloatingIps();
  const gap = (seen[1] as number) - (seen[0] as number);
  assert.ok(gap >= 900 && gap <= 2100, `second request after ${gap} ms`);

  const far = String(Math.floor(Date.now() / 1000) + 7200);
  const capped = await fakeApi(t, [
    { ...drained, headers: { "RateLimit-Remaining": "0", "RateLimit-Reset": far } },
  ]);
  await capped.client.listFloatingIps();
  await assert.rejects(capped.client.listFloatingIps(undefined, AbortSignal.timeout(200)), {
    name: "AbortError",
  });
});

test("a 401 is not retried", async (t) => {
  const denied = { status: 401, body: '{"error":{"code":"unauthorized","message":"no"}}' };
  const { client, seen } = await fakeApi(t, [denied, denied]);
  await assert.rejects(client.listFloatingIps(), { name: "HcloudError", status: 401 });
  assert.equal(seen.length, 1);
});
