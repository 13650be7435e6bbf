import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageReference } from "../reference/types.ts";
import { resolveUpstreams, UpstreamUnavailableError } from "./upstream.ts";

// A resolver over a fixed table of `<registry>/<repository>:<tag>` → digest; a registry named
// "down" fails the way fetch does when a host cannot be reached.
function tableResolver(table: Record<string, string>) {
  const asked: string[] = [];
  return {
    asked,
    async resolveDigest(ref: ImageReference) {
      const key = `${ref.registry}/${ref.repository}:${ref.tag}`;
      asked.push(key);
      if (ref.registry === "docker.io") {
        throw new Error("fetch failed", {
          cause: new Error("getaddrinfo ENOTFOUND registry-1.docker.io"),
        });
      }
      const digest = table[key];
      if (!digest) throw Object.assign(new Error(`HEAD ${key} failed: 404`), { status: 404 });
      return { digest, mediaType: "application/vnd.oci.image.index.v1+json" };
    },
  };
}

const digest = `sha256:${"a".repeat(64)}`;

describe("resolveUpstreams", () => {
  it("asks the mirror first for a Docker Hub image, one request when it answers", async () => {
    const resolver = tableResolver({ "127.0.0.1:5001/library/debian:bookworm-slim": digest });
    const result = await resolveUpstreams(["docker.io/library/debian:bookworm-slim"], resolver, [
      "127.0.0.1:5001",
    ]);
    assert.deepEqual(result.digests, { "docker.io/library/debian:bookworm-slim": digest });
    assert.deepEqual(resolver.asked, ["127.0.0.1:5001/library/debian:bookworm-slim"]);
  });

  it("says which registries were tried and why each failed", async () => {
    const resolver = tableResolver({});
    const ref = "docker.io/library/wordpress:6.9.4-php8.3-fpm";
    const result = await resolveUpstreams([ref], resolver, ["127.0.0.1:5001"]);
    const error = result.failures[ref];
    assert.ok(error instanceof UpstreamUnavailableError);
    assert.equal(
      error.message,
      "no registry reachable from here serves docker.io/library/wordpress:6.9.4-php8.3-fpm (127.0.0.1:5001: not found (404); docker.io: getaddrinfo ENOTFOUND registry-1.docker.io)",
    );
  });
});
