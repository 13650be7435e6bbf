import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog } from "../src/catalog/load.ts";
import { runGates } from "../src/gates/run.ts";
import { generateCatalog } from "./generate-catalog.ts";

// `npm run bench`: wall time of `solera check` as a user runs it (a new node process each time,
// Node's start included), best of 3, over generated catalogs of 250, 500 and 1,000 images and
// over the shipped catalog; `node -e 0` measured in the same run as the baseline. Also splits
// the 1,000-image run in process into loading and gating, to show where the time goes.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SIZES = [250, 500, 1000];
const RUNS = 3;
const TARGETS = { thousandSeconds: 2, shippedSeconds: 0.5, growthMax: 5 };

interface Timing {
  label: string;
  images: number;
  bestSeconds: number;
  /** Best wall time with NODE_COMPILE_CACHE warm (type stripping and compiling skipped). */
  cachedSeconds: number;
  perImageMs?: number;
}

/** Where Node keeps its compile cache (type-stripped and compiled modules) for the cached runs. */
let compileCache: string | undefined;

function wallTime(args: string[], expectImages?: number, cached = false): number {
  let best = Number.POSITIVE_INFINITY;
  const env = cached ? { ...process.env, NODE_COMPILE_CACHE: compileCache } : { ...process.env };
  if (!cached) delete env.NODE_COMPILE_CACHE;
  // The first cached run fills the cache; best of the runs after it is the warm figure.
  for (let run = cached ? -1 : 0; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) {
      throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr.slice(0, 2000)}`);
    }
    if (expectImages !== undefined) {
      const checked = (JSON.parse(result.stdout) as { images: unknown[] }).images.length;
      if (checked !== expectImages)
        throw new Error(`checked ${checked} images, expected ${expectImages}`);
    }
    if (run >= 0) best = Math.min(best, seconds);
  }
  return best;
}

async function inProcessSplit(dir: string): Promise<{ loadSeconds: number; gateSeconds: number }> {
  const started = performance.now();
  const catalog = await loadCatalog(dir);
  const loaded = performance.now();
  runGates(catalog);
  const gated = performance.now();
  return { loadSeconds: (loaded - started) / 1000, gateSeconds: (gated - loaded) / 1000 };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "solera-bench-"));
  compileCache = join(work, "compile-cache");
  try {
    const baseline = wallTime(["-e", "0"]);
    const timings: Timing[] = [];
    const shippedArgs = ["src/cli/main.ts", "check", "--json"];
    const shipped = wallTime(shippedArgs);
    const shippedCached = wallTime(shippedArgs, undefined, true);
    timings.push({
      label: "shipped catalog",
      images: 0,
      bestSeconds: shipped,
      cachedSeconds: shippedCached,
    });

    let split = { loadSeconds: 0, gateSeconds: 0 };
    for (const size of SIZES) {
      const dir = join(work, `catalog-${size}`);
      generateCatalog(dir, size, join(ROOT, "catalog/catalog.yaml"));
      const args = ["src/cli/main.ts", "--catalog", dir, "--json", "check"];
      const seconds = wallTime(args, size);
      const cachedSeconds = wallTime(args, size, true);
      timings.push({
        cachedSeconds,
        label: `${size} images`,
        images: size,
        bestSeconds: seconds,
        perImageMs: (seconds * 1000) / size,
      });
      if (size === 1000) split = await inProcessSplit(dir);
    }

    const byImages = (n: number) => timings.find((t) => t.images === n)?.bestSeconds ?? Number.NaN;
    const growth = byImages(1000) / byImages(250);
    const netGrowth = (byImages(1000) - baseline) / (byImages(250) - baseline);
    // The fixed cost (Node, the CLI's modules) hides the slope in the ratio; the marginal cost
    // per image between 250 and 1,000 images is the slope itself.
    const marginalMsPerImage = ((byImages(1000) - byImages(250)) * 1000) / 750;
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      runsPerMeasurement: RUNS,
      baselineNodeStartSeconds: baseline,
      timings,
      growthRatio1000over250: growth,
      growthRatioWithoutNodeStart: netGrowth,
      marginalMsPerImage,
      inProcess1000: split,
      targets: TARGETS,
      pass: {
        thousandUnderTarget: byImages(1000) < TARGETS.thousandSeconds,
        shippedUnderTarget: shipped < TARGETS.shippedSeconds,
        growthLinear: netGrowth < TARGETS.growthMax,
      },
    };

    printTable(results.baselineNodeStartSeconds, timings, growth, netGrowth, split);
    console.log(`marginal cost per image (250 → 1,000): ${marginalMsPerImage.toFixed(2)} ms`);
    mkdirSync(join(ROOT, "bench/results"), { recursive: true });
    writeFileSync(join(ROOT, "bench/results/check.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log("\nwrote bench/results/check.json");
    if (!Object.values(results.pass).every(Boolean)) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(
  baseline: number,
  timings: Timing[],
  growth: number,
  netGrowth: number,
  split: { loadSeconds: number; gateSeconds: number },
): void {
  const rows = [["catalog", "wall (best of 3)", "per image", "wall, compile cache warm"]];
  rows.push(["node -e 0 (baseline)", `${(baseline * 1000).toFixed(0)} ms`, "", ""]);
  for (const t of timings) {
    rows.push([
      t.label,
      `${(t.bestSeconds * 1000).toFixed(0)} ms`,
      t.perImageMs === undefined ? "" : `${t.perImageMs.toFixed(2)} ms`,
      `${(t.cachedSeconds * 1000).toFixed(0)} ms`,
    ]);
  }
  const widths = [0, 1, 2, 3].map((column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length)),
  );
  for (const row of rows)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  "));
  console.log(
    `\ngrowth t(1000)/t(250): ${growth.toFixed(2)} (without Node's start: ${netGrowth.toFixed(2)}; linear is 4)`,
  );
  console.log(
    `1,000 images in process: load ${(split.loadSeconds * 1000).toFixed(0)} ms, gates ${(split.gateSeconds * 1000).toFixed(0)} ms`,
  );
}

await main();
