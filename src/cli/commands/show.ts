import type { Command } from "commander";
import { describeBases } from "../../catalog/bases.ts";
import { findImage } from "../../catalog/find.ts";
import { loadCatalog } from "../../catalog/load.ts";
import type { CatalogImage } from "../../catalog/types.ts";
import { createOutput, type Output } from "../output.ts";

/** Adds `solera show <image>`: the delta columns, the derived bases, platforms and deploy shape. */
export function registerShowCommand(program: Command): void {
  program
    .command("show")
    .description("show one image: upstream / base, provides, adds, refuses, deploy shape")
    .argument("<image>", "image name, as `solera list` prints it")
    .action(async (name: string, _options: unknown, command: Command) => {
      const { catalog: dir, json } = command.optsWithGlobals<{ catalog: string; json: boolean }>();
      const out = createOutput({ json });
      const catalog = await loadCatalog(dir);
      const image = findImage(catalog, name);
      const reference = `${catalog.registry}/${image.name}:${image.version}`;

      if (json) {
        out.resultJson(toJson(image, reference));
        return;
      }
      out.result(renderImage(image, reference, out));
    });
}

function toJson(image: CatalogImage, reference: string) {
  return {
    name: image.name,
    class: image.class,
    version: image.version,
    reference,
    description: image.description,
    bases: describeBases(image),
    source: image.source,
    platforms: image.platforms,
    capabilities: image.capabilities,
    delta: image.delta,
    deploy: image.deploy,
    smoke: image.smoke,
  };
}

function renderImage(image: CatalogImage, reference: string, out: Output): string {
  const fields: [string, string][] = [
    ["upstream / base", describeBases(image).text],
    ...(image.source
      ? [["source", `${image.source.repository} @ ${image.source.tag}`] as [string, string]]
      : []),
    ["image", reference],
    ["platforms", image.platforms.join(" · ")],
    ["capabilities", image.capabilities.join(" · ")],
    ["deploy", describeDeploy(image)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  const lines = [
    `${out.paint("bold", image.name)} ${image.version} (${image.class})`,
    image.description,
    "",
    ...fields.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ];
  const columns: [string, string[]][] = [
    ["provides (inherited from upstream)", image.delta.provides],
    ["adds (the justified delta)", image.delta.adds],
    ["refuses (held out on purpose)", image.delta.refuses],
  ];
  for (const [title, items] of columns) {
    lines.push("", out.paint("bold", title), ...items.map((item) => `  - ${item}`));
  }
  return lines.join("\n");
}

function describeDeploy(image: CatalogImage): string {
  const { workload, replicas, env, ports, node } = image.deploy;
  const parts = [replicas === undefined ? workload : `${workload} ×${replicas}`];
  if (ports.length > 0) {
    parts.push(`ports ${ports.map((p) => `${p.name} ${p.port}/${p.protocol}`).join(", ")}`);
  }
  if (env.length > 0) {
    const shown = env.map((e) =>
      e.secret ? `${e.name} from secret ${e.secret}` : `${e.name}=${e.value ?? ""}`,
    );
    parts.push(`env ${shown.join(", ")}`);
  }
  const needs = [...(node.hostNetwork ? ["hostNetwork"] : []), ...node.capabilities];
  if (needs.length > 0) parts.push(`node ${needs.join(", ")}`);
  return parts.join("; ");
}
