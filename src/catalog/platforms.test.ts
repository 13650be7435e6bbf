import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectPlatforms } from "./platforms.ts";
import type { CatalogImage } from "./types.ts";

const image = (name: string, platforms: string[]) => ({ name, platforms }) as CatalogImage;
const agent = image("agent", ["linux/arm64", "linux/amd64"]);
const proxy = image("proxy", ["linux/arm64"]);
const hint = "leave --platform out, or ask for a platform the image declares in its image.yaml";

describe("selectPlatforms", () => {
  it("keeps every platform without a filter", () => {
    const { selected, skipped } = selectPlatforms([agent, proxy], undefined, false);
    assert.deepEqual(
      selected.map((s) => [s.image.name, s.platforms]),
      [
        ["agent", ["linux/arm64", "linux/amd64"]],
        ["proxy", ["linux/arm64"]],
      ],
    );
    assert.deepEqual(skipped, []);
  });

  it("skips, with the reason, the images that declare none of the platforms asked", () => {
    const { selected, skipped } = selectPlatforms([agent, proxy], ["linux/amd64"], false);
    assert.deepEqual(
      selected.map((s) => [s.image.name, s.platforms]),
      [["agent", ["linux/amd64"]]],
    );
    assert.deepEqual(skipped, [
      {
        name: "proxy",
        reason: "declares only linux/arm64, none of the platforms asked (linux/amd64)",
      },
    ]);
  });

  it("refuses an image named on the command line that declares none of them", () => {
    assert.throws(() => selectPlatforms([proxy], ["linux/amd64"], true), {
      message: "proxy declares only linux/arm64, none of the platforms asked (linux/amd64)",
      hint,
    });
  });

  it("refuses a filter that leaves no image at all", () => {
    assert.throws(() => selectPlatforms([agent, proxy], ["linux/s390x"], false), {
      message: "no image of the catalog declares any of the platforms asked",
      hint,
    });
  });
});
