import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { probeDocker } from "./docker-probe.ts";

const dir = mkdtempSync(join(tmpdir(), "solera-probe-"));

/** A docker client stand-in: a script answering `info` (and `version`) the way a real one does. */
function fakeDocker(name: string, info: string, code = 0, version = ""): string {
  const path = join(dir, name);
  const script = [
    "#!/bin/sh",
    'if [ "$1" = info ]; then',
    `  printf '%s\\n' '${info}'; exit ${code}`,
    "fi",
    `echo '${version}' >&2; exit 1`,
  ].join("\n");
  writeFileSync(path, `${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const mirrors = '["http://127.0.0.1:5001/"]';

describe("probeDocker", () => {
  it("finds BuildKit built into a 20.10 client, and the engine's mirrors, in one run", async () => {
    const client = '{"Debug":false,"Context":"default","Plugins":[],"Warnings":null}';
    const path = fakeDocker("d2010", `${client}\t20.10.24+dfsg1\t${mirrors}`);
    assert.deepEqual(await probeDocker(path, {}), {
      path,
      server: "20.10.24+dfsg1",
      buildx: undefined,
      buildkit: true,
      mirrors: ["127.0.0.1:5001"],
    });
  });

  it("refuses a 23+ client without buildx, which no longer builds with BuildKit itself", async () => {
    const client = '{"Version":"28.2.2","Plugins":[]}';
    const probe = await probeDocker(fakeDocker("d28", `${client}\t20.10.24\tnull`), {});
    assert.equal(probe.buildkit, false);
    assert.deepEqual(probe.mirrors, []);
  });

  it("reads the buildx plugin's version from the client's plugins", async () => {
    const client = '{"Version":"28.2.2","Plugins":[{"Name":"buildx","Version":"v0.24.0"}]}';
    const probe = await probeDocker(fakeDocker("d28x", `${client}\t28.2.2\tnull`), {});
    assert.equal(probe.buildx, "v0.24.0");
    assert.equal(probe.buildkit, true);
  });

  it("says why when the engine does not answer, from docker version", async () => {
    const down =
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
    const path = fakeDocker("down", '{"Plugins":[]}\t', 1, down);
    assert.equal(
      (await probeDocker(path, {})).problem,
      `the Docker engine does not answer (${down})`,
    );
  });
});
