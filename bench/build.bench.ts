import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushCatalog } from "../src/build/run.ts";
import { RegistryClient } from "../src/registry/client.ts";
import { testEnvironment } from "../test/environment.ts";

// solera's overhead over a bare `docker build` of the same target with a warm cache, and the
// number of registry requests one `solera push` makes. Needs the prepared machine
// (scripts/prepare-machine.sh). Writes bench/results/build.json.

const env = testEnvironment();
if (!env) {
  process.stderr.write(
    "the prepared machine is missing (run scripts/prepare-machine.sh as root)\n",
  );
  process.exit(3);
}
const root = join(import.meta.dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const platform = "linux/amd64";
const namespace = `${env.pushRegistry}/bench${Date.now().toString(36)}`;
const fixed = { ...process.env, SOURCE_DATE_EPOCH: "1764720000", DOCKER_BUILDKIT: "1" };

const config = mkdtempSync(join(tmpdir(), "solera-bench-"));
const auth = Buffer.from(`${env.username}:${env.password}`).toString("base64");
writeFileSync(
  join(config, "config.json"),
  JSON.stringify({ auths: { [env.pushRegistry]: { auth } } }),
);
process.env.DOCKER_CONFIG = config;

// A copy of the catalog whose agent declares the one platform measured: push refuses a
// --platform narrower than the image's platforms (its version tag must name all of them).
const catalog = join(config, "catalog");
cpSync(join(root, "catalog"), catalog, { recursive: true });
const spec = join(catalog, "images/fip-alias-agent/image.yaml");
writeFileSync(
  spec,
  readFileSync(spec, "utf8").replace(/^platforms: .*$/m, `platforms: [${platform}]`),
);

function timed(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...fixed, DOCKER_CONFIG: config },
    stdio: "ignore",
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  return performance.now() - started;
}

// The same build the engine runs: --pull resolves the base in the registry, as solera's does.
const bare = [
  "build",
  "--pull",
  "--platform",
  platform,
  "--tag",
  `${namespace}/fip-alias-agent:bare`,
  "catalog/images/fip-alias-agent",
];
// bin/solera.js, as a user runs it: it turns on Node's compile cache before loading the CLI.
const solera = [
  "bin/solera.js",
  "--catalog",
  catalog,
  "build",
  "fip-alias-agent",
  "--platform",
  platform,
  "--registry",
  namespace,
];

// Warm the cache for both (the labels differ, so solera's first run writes its own config).
timed(env.docker, bare);
timed(process.execPath, solera);

const bareTimes: number[] = [];
const soleraTimes: number[] = [];
for (let run = 0; run < runs; run++) {
  bareTimes.push(timed(env.docker, bare));
  soleraTimes.push(timed(process.execPath, solera));
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ratio = median(soleraTimes) / median(bareTimes);

async function countPush(): Promise<number> {
  const client = new RegistryClient();
  const summary = await pushCatalog({
    catalogDir: catalog,
    names: ["fip-alias-agent"],
    registry: namespace,
    platforms: [platform],
    lockPath: join(config, "bench.lock.json"),
    registryClient: client,
  });
  if (!summary.ok) throw new Error(`push failed: ${JSON.stringify(summary.outcomes)}`);
  return client.requests;
}
const firstPush = await countPush();
const unchangedPush = await countPush();

const result = {
  date: new Date().toISOString(),
  target: "fip-alias-agent",
  platform,
  runs,
  bareDockerBuildMs: { median: median(bareTimes), all: bareTimes.map(Math.round) },
  soleraBuildMs: { median: median(soleraTimes), all: soleraTimes.map(Math.round) },
  overheadRatio: Number(ratio.toFixed(3)),
  overheadMs: Math.round(median(soleraTimes) - median(bareTimes)),
  overheadTarget: 1.1,
  pushRegistryRequests: { firstPush, unchangedPush },
};
// Lists of numbers on one line, the way the formatter (biome) keeps the file.
const text = JSON.stringify(result, null, 2).replace(
  /\[\s*([\d.,\s]+?)\s*\]/g,
  (_, items: string) => `[${items.split(/,\s*/).join(", ")}]`,
);
writeFileSync(join(root, "bench/results/build.json"), `${text}\n`);
process.stdout.write(`${text}\n`);
