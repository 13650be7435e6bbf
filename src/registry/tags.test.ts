import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FaultProxy, startFaultProxy } from "../../test/fault-proxy.ts";
import {
  pushSmallImage,
  type RegistryServer,
  registrySkipReason,
  startRegistry,
  staticClient,
} from "../../test/registry-server.ts";
import { MediaType } from "./media-types.ts";
import { nextLink } from "./tags.ts";

const skip = registrySkipReason();
const REPOSITORY = "paged/app";
const TAGS = ["1.0", "1.1", "2.0", "2.1", "3.0"];

describe("tag lists with Link pagination", { skip }, () => {
  let server: RegistryServer;
  let proxy: FaultProxy;

  before(async () => {
    server = await startRegistry({ auth: "none" });
    const client = staticClient();
    const image = await pushSmallImage(client, server.host, REPOSITORY, TAGS[0] ?? "");
    for (const tag of TAGS.slice(1)) {
      await client.putManifest(
        { registry: server.host, repository: REPOSITORY, tag },
        image.bytes,
        MediaType.ociManifest,
      );
    }
    // No faults: the proxy pages the real tag list (Debian's registry 2.8 does not) and records
    // which URLs the client asked for.
    proxy = await startFaultProxy(server.host, [], { paginateTags: true });
  });
  after(async () => {
    await proxy?.stop();
    await server?.stop();
  });

  test("follows the Link header page by page, exactly as the registry gives it", async () => {
    const client = staticClient();
    const tags = await client.listTags(proxy.host, REPOSITORY, { pageSize: 2 });
    assert.deepEqual(tags, TAGS);
    const pages = proxy.log
      .filter((entry) => entry.path.includes("/tags/list"))
      .map((entry) => entry.path);
    assert.deepEqual(pages, [
      `/v2/${REPOSITORY}/tags/list?n=2`,
      `/v2/${REPOSITORY}/tags/list?last=1.1&n=2`,
      `/v2/${REPOSITORY}/tags/list?last=2.1&n=2`,
    ]);
  });

  test("stops at the page cap with an error instead of a partial list", async () => {
    const client = staticClient();
    await assert.rejects(client.listTags(proxy.host, REPOSITORY, { pageSize: 2, maxPages: 2 }), {
      name: "RegistryError",
      message: `the tag list of ${proxy.host}/${REPOSITORY} has more than 2 pages; stopped following its Link headers`,
    });
  });

  test("lists every tag straight from the registry without a page size", async () => {
    const client = staticClient();
    assert.deepEqual((await client.listTags(server.host, REPOSITORY)).sort(), TAGS);
    assert.equal(client.requests, 2, "a ping and one page");
  });
});

const links: { header: string | null; next: string | undefined }[] = [
  { header: null, next: undefined },
  { header: '</v2/a/tags/list?last=b&n=2>; rel="next"', next: "/v2/a/tags/list?last=b&n=2" },
  { header: "</v2/a/tags/list?last=b>; rel=next", next: "/v2/a/tags/list?last=b" },
  {
    header: '<https://r.example/x?a=1,2>; rel="prev", </v2/a/tags/list?last=c>; rel="next"',
    next: "/v2/a/tags/list?last=c",
  },
  { header: '</v2/a/tags/list?last=b>; rel="prev"', next: undefined },
];

for (const { header, next } of links) {
  test(`reads the next link of ${header ?? "no Link header"}`, () => {
    assert.equal(nextLink(header), next);
  });
}
