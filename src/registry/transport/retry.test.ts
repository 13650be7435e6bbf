import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRetryAfter, sendWithRetry } from "./retry.ts";

test("reads Retry-After as seconds or as an HTTP date", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("3", now), 3000);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test("stops after the configured attempts and returns the last response", async () => {
  let calls = 0;
  const outcome = await sendWithRetry(
    async () => {
      calls++;
      return new Response("", { status: 503 });
    },
    { attempts: 3, baseDelayMs: 1 },
  );
  assert.equal(calls, 3);
  assert.ok("response" in outcome && outcome.response.status === 503);
});

test("does not retry a client error", async () => {
  let calls = 0;
  await sendWithRetry(async () => {
    calls++;
    return new Response("", { status: 404 });
  });
  assert.equal(calls, 1);
});

test("gives up at once when Retry-After asks for longer than allowed", async () => {
  let calls = 0;
  await sendWithRetry(
    async () => {
      calls++;
      return new Response("", { status: 429, headers: { "retry-after": "3600" } });
    },
    { maxRetryAfterMs: 1000 },
  );
  assert.equal(calls, 1);
});
