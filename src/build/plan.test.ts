import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCatalog } from "../catalog/load.ts";
import { toBakeFile } from "./bake.ts";
import { planBuild } from "./plan.ts";

const catalogDir = join(import.meta.dirname, "../../catalog");
const fixed = {
  revision: "abc123",
  created: "2026-01-01T00:00:00.000Z",
  source: "https://example.org/solera",
};

describe("planBuild on the shipped catalog", async () => {
  const catalog = await loadCatalog(catalogDir);

  it("tags every image <registry>/<name>:<version>, never latest", () => {
    const plan = planBuild(catalog, { ...fixed, registry: "127.0.0.1:5000/solera" });
    for (const target of plan.targets) {
      const image = catalog.images.find((item) => item.name === target.name);
      assert.deepEqual(target.tags, [`127.0.0.1:5000/solera/${target.name}:${image?.version}`]);
      assert.doesNotMatch(target.tags[0] ?? "", /:latest$/);
    }
  });

  it("plans wordpress-fpm with its platforms, base and labels although it cannot be built here", () => {
    const [target] = planBuild(catalog, { ...fixed, names: ["wordpress-fpm"] }).targets;
    assert.equal(target?.tags[0], "reg.librecloud.online/solera/wordpress-fpm:6.9.4-php8.3");
    assert.deepEqual(target?.platforms, ["linux/amd64", "linux/arm64"]);
    assert.equal(
      target?.labels["org.opencontainers.image.base.name"],
      "docker.io/library/wordpress:6.9.4-php8.3-fpm",
    );
    assert.equal(target?.labels["org.opencontainers.image.revision"], "abc123");
    assert.equal(target?.labels["org.opencontainers.image.created"], "2026-01-01T00:00:00.000Z");
    assert.equal(target?.labels["org.opencontainers.image.source"], "https://example.org/solera");
    assert.equal(target?.labels["online.librecloud.solera.class"], "upstream-extension");
    assert.equal(target?.context, join(catalogDir, "images/wordpress-fpm"));
  });

  it("plans aralez for linux/arm64 only, based on the final stage's FROM", () => {
    const [target] = planBuild(catalog, { ...fixed, names: ["aralez"] }).targets;
    assert.deepEqual(target?.platforms, ["linux/arm64"]);
    assert.equal(target?.labels["online.librecloud.solera.class"], "from-source");
    assert.equal(
      target?.labels["org.opencontainers.image.base.name"],
      "docker.io/library/debian:bookworm-slim",
    );
    assert.ok(target?.upstreams.some((ref) => ref.startsWith("docker.io/library/rust:")));
  });

  it("leaves out an image none of whose platforms is asked, with a reason", () => {
    const plan = planBuild(catalog, { ...fixed, platforms: ["linux/amd64"] });
    assert.equal(
      plan.targets.some((target) => target.name === "aralez"),
      false,
    );
    assert.deepEqual(plan.skipped, [
      {
        name: "aralez",
        reason: "builds only linux/arm64; none of the platforms asked (linux/amd64)",
      },
    ]);
    const agent = plan.targets.find((target) => target.name === "fip-alias-agent");
    assert.deepEqual(agent?.platforms, ["linux/amd64"]);
  });

  it("labels the base digest and the upstreams used when they are known", () => {
    const ref = "docker.io/library/debian:bookworm-slim";
    const digest = `sha256:${"a".repeat(64)}`;
    const [target] = planBuild(catalog, {
      ...fixed,
      names: ["fip-alias-agent"],
      upstreamDigests: { [ref]: digest },
    }).targets;
    assert.equal(target?.labels["org.opencontainers.image.base.digest"], digest);
    assert.equal(target?.labels["online.librecloud.solera.upstreams"], `${ref}@${digest}`);
  });

  it("refuses an unknown image name and names the known ones", () => {
    assert.throws(() => planBuild(catalog, { ...fixed, names: ["nope"] }), {
      message: `unknown image "nope" in ${join(catalogDir, "catalog.yaml")}; known images: aralez, fip-alias-agent, fip-controller, wordpress-fpm`,
    });
  });

  it("writes a bake file with the default group and paths relative to its folder", () => {
    const plan = planBuild(catalog, { ...fixed, names: ["fip-alias-agent"] });
    const bake = toBakeFile(plan, join(catalogDir, ".."));
    assert.deepEqual(bake.group.default.targets, ["fip-alias-agent"]);
    assert.deepEqual(bake.target["fip-alias-agent"], {
      context: "catalog/images/fip-alias-agent",
      dockerfile: "Dockerfile",
      tags: ["reg.librecloud.online/solera/fip-alias-agent:0.1.0"],
      platforms: ["linux/arm64", "linux/amd64"],
      labels: plan.targets[0]?.labels,
    });
  });
});
