import assert from "node:assert/strict";
import { text } from "node:stream/consumers";
import { after, before, describe, test } from "node:test";
import { startFaultProxy } from "../../test/fault-proxy.ts";
import {
  type PushedImage,
  pushSmallImage,
  type RegistryServer,
  registrySkipReason,
  serverLogin,
  startRegistry,
  staticClient,
} from "../../test/registry-server.ts";
import type { RegistryClient } from "./client.ts";
import { computeDigest } from "./digest.ts";
import { MANIFEST_ACCEPT, MediaType } from "./media-types.ts";
import { RegistryError } from "./transport/errors.ts";

const skip = registrySkipReason();
const REPOSITORY = "media/app";

describe("manifests of all four media types", { skip }, () => {
  let server: RegistryServer;
  let client: RegistryClient;
  let amd64: PushedImage;
  let arm64: PushedImage;
  let docker: PushedImage;

  before(async () => {
    server = await startRegistry({ auth: "htpasswd" });
    client = staticClient(serverLogin(server));
    amd64 = await pushSmallImage(
      client,
      server.host,
      REPOSITORY,
      "oci-amd64",
      MediaType.ociManifest,
    );
    arm64 = await pushSmallImage(
      client,
      server.host,
      REPOSITORY,
      "oci-arm64",
      MediaType.ociManifest,
    );
    docker = await pushSmallImage(
      client,
      server.host,
      REPOSITORY,
      "docker",
      MediaType.dockerManifest,
    );
  });
  after(() => server?.stop());

  const ref = (tag: string, digest?: string) => ({
    registry: server.host,
    repository: REPOSITORY,
    tag,
    digest,
  });

  test("reads an OCI manifest and a Docker v2 manifest back byte for byte", async () => {
    for (const [tag, pushed] of [
      ["oci-amd64", amd64],
      ["docker", docker],
    ] as const) {
      const manifest = await client.getManifest(ref(tag));
      assert.deepEqual(manifest.bytes, pushed.bytes);
      assert.equal(manifest.digest, computeDigest(pushed.bytes));
      assert.equal(manifest.mediaType, pushed.mediaType);
      const byDigest = await client.getManifest({
        ...ref(tag),
        tag: undefined,
        digest: pushed.digest,
      });
      assert.equal(byDigest.digest, pushed.digest);
    }
  });

  test("builds, pushes and reads back an OCI index of per-platform manifests", async () => {
    const entries = [
      { ...descriptorOf(amd64), platform: { os: "linux", architecture: "amd64" } },
      { ...descriptorOf(arm64), platform: { os: "linux", architecture: "arm64", variant: "v8" } },
    ];
    const index = await client.putIndex(ref("multi"), entries);
    const manifest = await client.getManifest(ref("multi"));
    assert.equal(manifest.digest, index.digest);
    assert.equal(manifest.mediaType, MediaType.ociIndex);
    assert.deepEqual(
      (manifest.json as { manifests: { platform: { architecture: string } }[] }).manifests.map(
        (entry) => entry.platform.architecture,
      ),
      ["amd64", "arm64"],
    );
    assert.deepEqual(await client.resolveDigest(ref("multi")), {
      digest: index.digest,
      mediaType: MediaType.ociIndex,
    });
  });

  test("pushes and reads back a Docker manifest list", async () => {
    const list = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [{ ...descriptorOf(docker), platform: { os: "linux", architecture: "amd64" } }],
    };
    const bytes = new TextEncoder().encode(JSON.stringify(list, null, 3));
    const digest = await client.putManifest(ref("list"), bytes, MediaType.dockerManifestList);
    const manifest = await client.getManifest(ref("list"));
    assert.equal(manifest.digest, digest);
    assert.equal(manifest.mediaType, MediaType.dockerManifestList);
    assert.deepEqual(manifest.bytes, bytes);
  });

  test("says which manifest is unknown, with the registry's error code", async () => {
    const error = await client.getManifest(ref("absent")).catch((caught: unknown) => caught);
    assert.ok(error instanceof RegistryError);
    assert.equal(
      error.message,
      `GET http://${server.host}/v2/${REPOSITORY}/manifests/absent failed: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)`,
    );
    assert.deepEqual(
      error.codes.map((c) => c.code),
      ["MANIFEST_UNKNOWN"],
    );
    assert.equal(error.retryable, false);
  });

  test("refuses a manifest whose bytes do not match the registry's digest", async () => {
    const proxy = await startFaultProxy(server.host, [
      {
        status: 200,
        times: 1,
        body: '{"schemaVersion":2,"tampered":true}',
        headers: { "content-type": MediaType.ociManifest, "docker-content-digest": amd64.digest },
        match: (method, path) => method === "GET" && path.includes("/manifests/"),
      },
    ]);
    try {
      const viaProxy = staticClient(serverLogin(server, proxy.host));
      const tampered = { registry: proxy.host, repository: REPOSITORY, tag: "oci-amd64" };
      await assert.rejects(viaProxy.getManifest(tampered), {
        name: "RegistryError",
        message: `the manifest of ${proxy.host}/${REPOSITORY}:oci-amd64 has digest ${computeDigest(new TextEncoder().encode('{"schemaVersion":2,"tampered":true}'))}, but ${amd64.digest} was expected`,
      });
      const asked = proxy.log.find((entry) => entry.path.includes("/manifests/"));
      assert.equal(
        asked?.headers.accept,
        MANIFEST_ACCEPT,
        "every manifest request names all four types",
      );
    } finally {
      await proxy.stop();
    }
  });

  test("heads and streams blobs, and reports a missing blob as absent", async () => {
    const bytes = new TextEncoder().encode("blob body for streaming");
    const pushed = await client.pushBlob(server.host, REPOSITORY, bytes);
    assert.deepEqual(await client.headBlob(server.host, REPOSITORY, pushed.digest), {
      digest: pushed.digest,
      size: bytes.byteLength,
    });
    const blob = await client.getBlob(server.host, REPOSITORY, pushed.digest);
    assert.equal(await text(blob.stream), "blob body for streaming");
    const missing = computeDigest(new TextEncoder().encode("never pushed"));
    assert.equal(await client.headBlob(server.host, REPOSITORY, missing), undefined);
  });
});

test("accepts all four manifest media types", () => {
  assert.equal(
    MANIFEST_ACCEPT,
    "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json",
  );
});

function descriptorOf(image: PushedImage) {
  return { digest: image.digest, mediaType: image.mediaType, size: image.bytes.byteLength };
}
