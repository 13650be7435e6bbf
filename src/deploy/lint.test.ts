import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  formatManifestFinding,
  isLatestTag,
  lintManifests,
  lintManifestText,
  type ManifestCatalog,
} from "./lint.ts";

const repository = fileURLToPath(new URL("../../", import.meta.url));

const catalog: ManifestCatalog = {
  registry: "reg.example.org/solera",
  images: [{ name: "agent", version: "0.1.0" }],
};

/** A Deployment whose first container (line 8) runs `image`. */
function deployment(image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - image: ${image}
          name: app
`;
}

const refused: [string, string, string][] = [
  ["an image with no tag", deployment("nginx"), "untagged"],
  ["an image tagged latest", deployment("nginx:latest"), "latest-tag"],
  ["a tag with latest as a component", deployment("nginx:1.27-latest"), "latest-tag"],
  ["a tag with latest after a dot", deployment("nginx:latest.1"), "latest-tag"],
  ["a registry port taken for a tag", deployment("reg.example.org:5000/app"), "untagged"],
  [
    "a catalog image at another version",
    deployment("reg.example.org/solera/agent:0.0.9"),
    "catalog-version",
  ],
  [
    "a catalog image pinned by digest only",
    deployment(`reg.example.org/solera/agent@sha256:${"a".repeat(64)}`),
    "catalog-version",
  ],
  [
    "an image the catalog does not have",
    deployment("reg.example.org/solera/other:1.0"),
    "unknown-catalog-image",
  ],
  ["a malformed reference", deployment("Nginx:1"), "invalid-image"],
  ["a container with no image", deployment('""'), "no-image"],
];

for (const [name, text, rule] of refused) {
  test(`refuses ${name}`, () => {
    const findings = lintManifestText(text, "app.yaml", catalog);

    assert.deepEqual(
      findings.map((finding) => [finding.rule, finding.line, finding.path]),
      [[rule, 8, "spec.template.spec.containers[0].image"]],
    );
  });
}

const accepted: [string, string][] = [
  ["a pinned upstream image", deployment("nginx:1.27.3")],
  ["a digest-pinned upstream image", deployment(`nginx@sha256:${"b".repeat(64)}`)],
  ["a catalog image at the catalog's version", deployment("reg.example.org/solera/agent:0.1.0")],
  ["a tag that only contains latest in a word", deployment("app:greatest-1")],
  ["a document with no containers", "apiVersion: v1\nkind: ConfigMap\ndata: {image: nginx}\n"],
];

for (const [name, text] of accepted) {
  test(`accepts ${name}`, () => {
    assert.deepEqual(lintManifestText(text, "app.yaml", catalog), []);
  });
}

test("finds init containers and CronJob containers in later documents, at their lines", () => {
  const text = `kind: Pod
spec:
  initContainers:
    - {name: init, image: "busybox"}
  containers:
    - {name: main, image: "reg.example.org/solera/agent:0.1.0"}
---
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: alpine:latest
`;
  const findings = lintManifestText(text, "deploy/x/jobs.yaml", catalog).map(formatManifestFinding);

  assert.deepEqual(findings, [
    'deploy/x/jobs.yaml:4:27: image "busybox" names no tag, so it pulls whatever latest points to; pin a version [untagged]',
    'deploy/x/jobs.yaml:16:22: image "alpine:latest" uses the moving tag "latest"; pin a version [latest-tag]',
  ]);
});

test("reports broken YAML at its line instead of skipping the file", () => {
  const findings = lintManifestText("kind: Pod\nspec: [unclosed\n", "bad.yaml", catalog);

  assert.equal(findings[0]?.rule, "yaml");
  assert.equal(findings[0]?.file, "bad.yaml");
});

test("names the catalog's version in the message", () => {
  const [finding] = lintManifestText(
    deployment("reg.example.org/solera/agent:0.2.0"),
    "a.yaml",
    catalog,
  );

  assert.equal(
    finding?.message,
    'image "reg.example.org/solera/agent:0.2.0" must be pinned to the catalog\'s version of agent: reg.example.org/solera/agent:0.1.0',
  );
});

test("isLatestTag matches whole components only", () => {
  const table: [string, boolean][] = [
    ["latest", true],
    ["LATEST", true],
    ["3-latest", true],
    ["latest_slim", true],
    ["1.2.3", false],
    ["greatest", false],
    ["latestly", false],
  ];
  for (const [tag, expected] of table) assert.equal(isLatestTag(tag), expected, tag);
});

const scratch = await mkdtemp(join(tmpdir(), "solera-lint-"));
after(() => rm(scratch, { recursive: true, force: true }));

test("reads every YAML file under the folder, nested and multi-document", async () => {
  await mkdir(join(scratch, "a", "b"), { recursive: true });
  await writeFile(join(scratch, "a", "ok.yaml"), deployment("nginx:1.27.3"));
  await writeFile(
    join(scratch, "a", "b", "two.yml"),
    `${deployment("nginx:1")}---\n${deployment("nginx")}`,
  );
  await writeFile(join(scratch, "a", "notes.txt"), deployment("nginx"));

  const findings = await lintManifests(scratch, catalog);

  assert.deepEqual(
    findings.map((finding) => `${finding.file}:${finding.line}:${finding.rule}`),
    [`${join(scratch, "a", "b", "two.yml")}:18:untagged`],
  );
});

/** The catalog's registry and versions, read straight from its YAML files. */
async function repositoryCatalog(): Promise<ManifestCatalog> {
  const catalogYaml = parse(await readFile(join(repository, "catalog", "catalog.yaml"), "utf8"));
  const imagesDir = join(repository, "catalog", "images");
  const images: ManifestCatalog["images"] = [];
  for (const name of await readdir(imagesDir)) {
    const file = join(imagesDir, name, "image.yaml");
    if (!existsSync(file)) continue;
    const image = parse(await readFile(file, "utf8")) as { name: string; version: string };
    images.push({ name: image.name, version: String(image.version) });
  }
  return { registry: catalogYaml.registry, images };
}

test("the repository's deploy manifests pin every image, catalog images at their versions", async () => {
  const deployDir = join(repository, "deploy");
  const current = await repositoryCatalog();
  assert.ok(current.images.length > 0, "the catalog lists images");

  const findings = await lintManifests(deployDir, current);

  assert.deepEqual(findings.map(formatManifestFinding), []);
  const files = await readdir(deployDir, { recursive: true });
  assert.ok(
    files.some((file) => file.endsWith(".yaml")),
    "deploy/ holds manifests",
  );
});

test("the repository's catalog images are checked: a bumped version refuses today's manifests", async () => {
  const current = await repositoryCatalog();
  const bumped = current.images.map((image) => ({ ...image, version: `${image.version}-next` }));

  const findings = await lintManifests(join(repository, "deploy"), { ...current, images: bumped });

  assert.ok(
    findings.some(
      (finding) =>
        finding.rule === "catalog-version" && finding.image?.includes("/fip-alias-agent:"),
    ),
    "the fip-alias-agent DaemonSet is held to the catalog's version",
  );
});
