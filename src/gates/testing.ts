import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { LineCounter, parseDocument, stringify } from "yaml";
import type { CatalogSpec, ImageSpec } from "../catalog/schema.ts";
import type { Catalog, CatalogImage, Locator } from "../catalog/types.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { Rule } from "./types.ts";

// Builders for gate tests: an image from Dockerfile text and a few spec fields, written to a
// temporary folder so rules that read delta files read real files, with a real YAML locator.

/** What a test states about an image; everything else gets an admissible default. */
export interface ImageFixture {
  dockerfile: string;
  spec?: Partial<ImageSpec>;
  /** Delta files beside the Dockerfile, by name. */
  files?: Record<string, string>;
}

/** The spec every fixture starts from. */
export function defaultSpec(name = "example"): ImageSpec {
  return {
    name,
    class: "upstream-extension",
    version: "1.0.0",
    description: "An example image.",
    capabilities: ["example"],
    platforms: ["linux/amd64", "linux/arm64"],
    delta: { provides: [], adds: ["an example delta"], refuses: [] },
    deploy: {
      workload: "Deployment",
      env: [],
      ports: [],
      node: { hostNetwork: false, capabilities: [] },
    },
    smoke: [{ name: "runs", run: ["true"] }],
  };
}

/** Writes a fixture to a temporary catalog folder and returns it as the loader would. */
export function fixtureImage(fixture: ImageFixture): CatalogImage {
  const spec = { ...defaultSpec(fixture.spec?.name), ...fixture.spec };
  const root = mkdtempSync(join(tmpdir(), "solera-gates-"));
  const dir = join(root, "images", spec.name);
  mkdirSync(dir, { recursive: true });

  const yamlText = stringify(spec);
  const file = join(dir, "image.yaml");
  const dockerfilePath = join(dir, "Dockerfile");
  writeFileSync(file, yamlText);
  writeFileSync(dockerfilePath, fixture.dockerfile);
  for (const [name, text] of Object.entries(fixture.files ?? {}))
    writeFileSync(join(dir, name), text);

  return {
    ...spec,
    dir,
    file,
    locate: yamlLocator(yamlText),
    dockerfilePath,
    dockerfile: parseDockerfile(fixture.dockerfile, dockerfilePath),
    files: Object.keys(fixture.files ?? {}).sort(),
  };
}

/** A catalog around the given images. */
export function fixtureCatalog(images: CatalogImage[], spec: Partial<CatalogSpec> = {}): Catalog {
  return {
    name: "solera",
    version: "0.1.0",
    stage: "beta",
    tagline: "t",
    summary: "s",
    registry: "reg.example.org/solera",
    officialPublishers: [],
    axioms: [{ id: "A1", key: "upstream-first", title: "Upstream First", statement: "s" }],
    tensions: [],
    classes: [{ key: "upstream-extension", title: "t", description: "d" }],
    refusals: [],
    siblings: [],
    ...spec,
    dir: "catalog",
    file: "catalog/catalog.yaml",
    locate: () => undefined,
    images: [...images].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A locator over YAML text, the way the loader's works: the line of the node at a path. */
export function yamlLocator(text: string): Locator {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  return (path) => {
    const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range === undefined) return undefined;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, column: col };
  };
}

/** A finding reduced to what gate tables assert: the check, severity, line and message. */
export interface FindingSummary {
  rule: string;
  severity: string;
  line?: number;
  message: string;
}

/** Runs one rule over a fixture (with other catalog images beside it) and summarises findings. */
export function judge(
  rule: Rule,
  fixture: ImageFixture,
  others: CatalogImage[] = [],
  spec: Partial<CatalogSpec> = {},
): FindingSummary[] {
  const image = fixtureImage(fixture);
  const catalog = fixtureCatalog([image, ...others], spec);
  return rule.check({ catalog, image }).map((finding) => {
    const summary: FindingSummary = {
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
    };
    if (finding.line !== undefined) summary.line = finding.line;
    return summary;
  });
}

/** One row of a rule's table: a fixture, and exactly the findings the rule reports on it. */
export interface RuleCase extends ImageFixture {
  name: string;
  expect: FindingSummary[];
}

/** Registers one test per row: the rule, judged on the row's fixture, reports what it expects. */
export function testRuleTable(rule: Rule, cases: RuleCase[]): void {
  for (const { name, expect, ...fixture } of cases) {
    it(name, () => assert.deepEqual(judge(rule, fixture), expect));
  }
}
