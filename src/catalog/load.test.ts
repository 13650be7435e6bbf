import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { ExitCode } from "../errors.ts";
import { CatalogLoadError, formatProblem, loadCatalog } from "./load.ts";

const CATALOG = `name: demo
version: 0.1.0
stage: beta
tagline: t
summary: s
registry: registry.example.com/demo
axioms:
  - id: A1
    key: upstream-first
    title: Upstream First
    statement: s
tensions: []
classes:
  - key: upstream-extension
    title: t
    description: d
refusals: []
siblings: []
`;

const IMAGE = `name: app
class: upstream-extension
version: "1.0"
description: d
capabilities: [web]
platforms: [linux/amd64]
delta:
  provides: []
  adds: [conf]
  refuses: []
deploy:
  workload: Deployment
`;

const DOCKERFILE = "FROM debian:bookworm-slim\nCOPY app.conf /etc/app.conf\n";

const roots: string[] = [];
after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** Writes a catalog into a fresh folder: the valid base, with `files` replacing or adding files. */
async function writeCatalog(files: Record<string, string | undefined> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "solera-load-"));
  roots.push(root);
  const all: Record<string, string | undefined> = {
    "catalog.yaml": CATALOG,
    "images/app/image.yaml": IMAGE,
    "images/app/Dockerfile": DOCKERFILE,
    "images/app/app.conf": "key = value\n",
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    if (text === undefined) continue;
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** The problems loadCatalog reports, formatted, with the temporary folder written as `<dir>`. */
async function loadProblems(root: string): Promise<string[]> {
  try {
    await loadCatalog(root);
  } catch (error) {
    assert.ok(error instanceof CatalogLoadError, `expected CatalogLoadError, got ${error}`);
    assert.equal(error.exitCode, ExitCode.usage);
    return error.problems.map((problem) => formatProblem(problem).replaceAll(root, "<dir>"));
  }
  assert.fail("expected the catalog not to load");
}

describe("loadCatalog", () => {
  it("refuses a folder where a file belongs, as a user error", async () => {
    const root = await writeCatalog({ "images/app/Dockerfile": undefined });
    await mkdir(join(root, "images/app/Dockerfile"));
    await assert.rejects(loadCatalog(root), {
      message: `${join(root, "images/app/Dockerfile")} is a folder, where a file belongs`,
      exitCode: ExitCode.usage,
    });
  });

  it("refuses a platform listed twice", async () => {
    const twice = IMAGE.replace(
      "platforms: [linux/amd64]",
      "platforms: [linux/amd64, linux/amd64]",
    );
    const root = await writeCatalog({ "images/app/image.yaml": twice });
    assert.deepEqual(await loadProblems(root), [
      "<dir>/images/app/image.yaml:6:1: platforms: expected each platform once, got a list of 2",
    ]);
  });

  it("reads a --catalog that is a file as a catalog not found", async () => {
    const root = await writeCatalog();
    const problems = await loadProblems(join(root, "catalog.yaml"));
    assert.equal(
      problems[0],
      "<dir>/catalog.yaml: file not found (expected the catalog's catalog.yaml; --catalog <dir> names the catalog folder)",
    );
  });

  it("loads a valid catalog with its images, Dockerfiles and delta files", async () => {
    const root = await writeCatalog();
    const catalog = await loadCatalog(root);
    assert.equal(catalog.name, "demo");
    assert.deepEqual(
      catalog.images.map((image) => [image.name, image.files, image.dockerfile.stages.length]),
      [["app", ["app.conf"], 1]],
    );
    assert.deepEqual(catalog.images[0]?.deploy.env, []);
    assert.deepEqual(catalog.images[0]?.locate(["deploy", "workload"]), { line: 12, column: 3 });
  });

  const rows: { name: string; files: Record<string, string | undefined>; want: string[] }[] = [
    {
      name: "reports a YAML syntax error with its position",
      files: { "catalog.yaml": CATALOG.replace("tagline: t", "tagline: [unclosed") },
      want: [
        "<dir>/catalog.yaml:5:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    },
    {
      name: "reports a duplicate key as a YAML error",
      files: { "images/app/image.yaml": `${IMAGE}class: from-source\n` },
      want: ["<dir>/images/app/image.yaml:13:1: YAML syntax: Map keys must be unique"],
    },
    {
      name: "reports a wrong type with what was expected",
      files: { "images/app/image.yaml": IMAGE.replace('version: "1.0"', "version: 1.0") },
      want: ["<dir>/images/app/image.yaml:3:1: version: expected a string, got number 1"],
    },
    {
      name: "reports an unknown key with the keys allowed there",
      files: {
        "images/app/image.yaml": IMAGE.replace("  adds: [conf]", "  adds: [conf]\n  add: []"),
      },
      want: [
        '<dir>/images/app/image.yaml:10:3: delta.add: unknown key "add" (expected one of: provides, adds, refuses)',
      ],
    },
    {
      name: "reports a missing required field at its parent",
      files: {
        "images/app/image.yaml": IMAGE.replace("  workload: Deployment\n", "  replicas: 1\n"),
      },
      want: [
        "<dir>/images/app/image.yaml:11:1: deploy.workload: required field is missing (expected one of Deployment, DaemonSet, StatefulSet)",
      ],
    },
    {
      name: "reports a value outside an enum and a bad list item",
      files: {
        "images/app/image.yaml": IMAGE.replace("class: upstream-extension", "class: fork").replace(
          "[linux/amd64]",
          "[linux/amd64, windows/amd64]",
        ),
      },
      want: [
        '<dir>/images/app/image.yaml:2:1: class: expected one of upstream-extension, from-source, got "fork"',
        '<dir>/images/app/image.yaml:6:26: platforms[1]: expected a platform such as linux/amd64 or linux/arm64, got "windows/amd64"',
      ],
    },
    {
      name: "reports an empty list where items are required",
      files: { "images/app/image.yaml": IMAGE.replace("[web]", "[]") },
      want: [
        "<dir>/images/app/image.yaml:5:1: capabilities: expected at least 1 item, got a list of 0",
      ],
    },
    {
      name: "reports a name that does not match its folder",
      files: { "images/app/image.yaml": IMAGE.replace("name: app", "name: other") },
      want: [
        '<dir>/images/app/image.yaml:1:1: name: "other" does not match its folder (expected "app", the folder\'s name)',
      ],
    },
    {
      name: "reports duplicate image names",
      files: {
        "images/copy/image.yaml": IMAGE,
        "images/copy/Dockerfile": DOCKERFILE,
        "images/copy/app.conf": "key = value\n",
      },
      want: [
        '<dir>/images/copy/image.yaml:1:1: name: "app" does not match its folder (expected "copy", the folder\'s name)',
        '<dir>/images/copy/image.yaml:1:1: name: duplicate image name "app" (already used by <dir>/images/app/image.yaml:1:1; expected a name no other image has)',
      ],
    },
    {
      name: "blames the duplicate on the folder whose name does not match, even when it sorts first",
      files: {
        "images/a-copy/image.yaml": IMAGE,
        "images/a-copy/Dockerfile": DOCKERFILE,
        "images/a-copy/app.conf": "key = value\n",
      },
      want: [
        '<dir>/images/a-copy/image.yaml:1:1: name: "app" does not match its folder (expected "a-copy", the folder\'s name)',
        '<dir>/images/a-copy/image.yaml:1:1: name: duplicate image name "app" (already used by <dir>/images/app/image.yaml:1:1; expected a name no other image has)',
      ],
    },
    {
      name: "reports a build context that does not exist",
      files: { "images/app/image.yaml": `${IMAGE}context: nope\n` },
      want: [
        '<dir>/images/app/image.yaml:13:1: context: "nope" resolves to <dir>/images/app/nope, which is not an existing folder (expected a folder relative to the image folder, such as ../../.. for the repository root)',
      ],
    },
    {
      name: "reports a build context outside the catalog folder's parent",
      files: { "images/app/image.yaml": `${IMAGE}context: ../../../..\n` },
      want: [
        `<dir>/images/app/image.yaml:13:1: context: "../../../.." resolves to ${dirname(tmpdir())}, outside the repository ${tmpdir()} (expected a folder relative to the image folder, inside the catalog folder's parent)`,
      ],
    },
    {
      name: "reports a build context that is a file",
      files: { "images/app/image.yaml": `${IMAGE}context: app.conf\n` },
      want: [
        '<dir>/images/app/image.yaml:13:1: context: "app.conf" resolves to <dir>/images/app/app.conf, which is not an existing folder (expected a folder relative to the image folder, such as ../../.. for the repository root)',
      ],
    },
    {
      name: "reports an image folder without a Dockerfile",
      files: { "images/app/Dockerfile": undefined },
      want: [
        "<dir>/images/app/image.yaml:1:1: the image folder has no Dockerfile (expected <dir>/images/app/Dockerfile)",
      ],
    },
    {
      name: "reports an image folder without image.yaml",
      files: { "images/app/image.yaml": undefined },
      want: [
        "<dir>/images/app/image.yaml: file not found (expected every image folder to describe its image in image.yaml)",
      ],
    },
    {
      name: "reports a delta file that no COPY or ADD copies",
      files: { "images/app/stray.ini": "x = 1\n" },
      want: [
        "<dir>/images/app/stray.ini:1:1: delta file is not copied by any COPY or ADD in <dir>/images/app/Dockerfile (expected a COPY of it, or remove the file)",
      ],
    },
    {
      name: "reports a Dockerfile BuildKit would refuse",
      files: { "images/app/Dockerfile": `${DOCKERFILE}RUN <<EOF\necho\n` },
      want: [
        '<dir>/images/app/Dockerfile:3:1: heredoc <<EOF is not closed: no line reads exactly "EOF"',
      ],
    },
    {
      name: "refuses a bare registry host as an official publisher",
      files: {
        "catalog.yaml": CATALOG.replace(
          "registry: registry.example.com/demo",
          'registry: registry.example.com/demo\nofficialPublishers: [docker.io, bitnami, ghcr.io/example, localhost, "[::1]:5000/ns"]',
        ),
      },
      want: [
        '<dir>/catalog.yaml:7:22: officialPublishers[0]: expected a Docker Hub namespace such as bitnami, or <registry>/<namespace> such as ghcr.io/example (a bare registry host would admit every image on it), got "docker.io"',
        '<dir>/catalog.yaml:7:59: officialPublishers[3]: expected a Docker Hub namespace such as bitnami, or <registry>/<namespace> such as ghcr.io/example (a bare registry host would admit every image on it), got "localhost"',
      ],
    },
    {
      name: "reports a missing catalog.yaml",
      files: { "catalog.yaml": undefined },
      want: [
        "<dir>/catalog.yaml: file not found (expected the catalog's catalog.yaml; --catalog <dir> names the catalog folder)",
      ],
    },
  ];

  for (const row of rows) {
    it(row.name, async () => {
      assert.deepEqual(await loadProblems(await writeCatalog(row.files)), row.want);
    });
  }

  it("reports every problem of a load at once, in one message", async () => {
    const root = await writeCatalog({
      "catalog.yaml": CATALOG.replace("stage: beta", "stage: gamma"),
      "images/app/stray.ini": "x = 1\n",
    });
    await assert.rejects(loadCatalog(root), (error: unknown) => {
      assert.ok(error instanceof CatalogLoadError);
      assert.equal(
        error.message.replaceAll(root, "<dir>"),
        [
          "the catalog has 2 load errors:",
          '<dir>/catalog.yaml:3:1: stage: expected one of alpha, beta, stable, got "gamma"',
          "<dir>/images/app/stray.ini:1:1: delta file is not copied by any COPY or ADD in <dir>/images/app/Dockerfile (expected a COPY of it, or remove the file)",
        ].join("\n"),
      );
      return true;
    });
  });

  it("counts files copied by a folder, a glob or from a wider build context", async () => {
    const root = await writeCatalog({
      "images/app/Dockerfile":
        "FROM debian\nCOPY conf/ /etc/app/\nCOPY *.ini /etc/\nCOPY images/app/extra.txt /x\n",
      "images/app/image.yaml": `${IMAGE}context: ../..\n`,
      "images/app/conf/a.conf": "a\n",
      "images/app/b.ini": "b\n",
      "images/app/extra.txt": "c\n",
      "images/app/app.conf": undefined,
    });
    const problems = await loadProblems(root);
    // conf/ and *.ini are relative to the context (the catalog root), so they miss these files.
    assert.deepEqual(problems, [
      "<dir>/images/app/b.ini:1:1: delta file is not copied by any COPY or ADD in <dir>/images/app/Dockerfile (expected a COPY of it, or remove the file)",
      "<dir>/images/app/conf/a.conf:1:1: delta file is not copied by any COPY or ADD in <dir>/images/app/Dockerfile (expected a COPY of it, or remove the file)",
    ]);
  });
});

describe("the shipped catalog", () => {
  it("loads, with every image the landing page names that exists so far", async () => {
    const catalog = await loadCatalog(new URL("../../catalog", import.meta.url).pathname);
    const names = catalog.images.map((image) => image.name);
    for (const name of ["aralez", "fip-alias-agent", "wordpress-fpm"]) {
      assert.ok(names.includes(name), `${name} is missing from ${names.join(", ")}`);
    }
    assert.equal(catalog.registry, "reg.librecloud.online/solera");
    assert.deepEqual(
      catalog.axioms.map((axiom) => axiom.key),
      ["upstream-first", "runtime-not-buildtime", "delta-only"],
    );
  });
});

describe("the hint of a load error", () => {
  const rows: { name: string; files: Record<string, string | undefined>; hint: string }[] = [
    {
      name: "points at the JSON schemas for YAML problems",
      files: { "images/app/image.yaml": IMAGE.replace('version: "1.0"', "version: 1.0") },
      hint: "fix the YAML at the place named; schema/catalog.schema.json and schema/image.schema.json let an editor check the YAML",
    },
    {
      name: "points at the Dockerfile for a Dockerfile problem",
      files: { "images/app/Dockerfile": `${DOCKERFILE}RUN <<EOF\necho\n` },
      hint: "fix the Dockerfile at the line named",
    },
    {
      name: "says to copy or delete an uncopied delta file",
      files: { "images/app/stray.ini": "x = 1\n" },
      hint: "COPY the file in the Dockerfile or delete it",
    },
    {
      name: "says to create a missing file",
      files: { "images/app/Dockerfile": undefined },
      hint: "create the missing file or folder, or name the catalog folder with --catalog <dir>",
    },
    {
      name: "combines short hints when problems are of several kinds",
      files: {
        "catalog.yaml": CATALOG.replace("stage: beta", "stage: gamma"),
        "images/app/stray.ini": "x = 1\n",
      },
      hint: "fix the YAML (schema/*.json let an editor check it); COPY each delta file in its Dockerfile or delete it",
    },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const root = await writeCatalog(row.files);
      await assert.rejects(loadCatalog(root), (error: unknown) => {
        assert.ok(error instanceof CatalogLoadError);
        assert.equal(error.hint, row.hint);
        return true;
      });
    });
  }
});
