import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { toBakeFile } from "../bake.ts";
import { checkEmulation } from "../qemu.ts";
import type { PlanTarget } from "../types.ts";
import { BuildctlEngine } from "./buildctl.ts";
import { BuildxEngine } from "./buildx.ts";
import { DockerBuildEngine } from "./docker-build.ts";
import { platformSuffix } from "./engine.ts";

const target: PlanTarget = {
  name: "agent",
  version: "0.1.0",
  repository: "127.0.0.1:5000/solera/agent",
  tags: ["127.0.0.1:5000/solera/agent:0.1.0"],
  platforms: ["linux/amd64", "linux/arm64"],
  context: "catalog/images/agent",
  dockerfile: "catalog/images/agent/Dockerfile",
  labels: { "org.opencontainers.image.title": "agent" },
  args: { SOURCE_TAG: "v1" },
  upstreams: [],
  upstreamDigests: {},
  secrets: [
    { id: "ca", src: "/etc/ssl/certs/ca-certificates.crt" },
    { id: "token", env: "TOKEN" },
  ],
};

describe("engine command lines", () => {
  it("docker build: one platform per build, secrets passed as --secret, tagged <version>-<arch> when there are several", () => {
    assert.deepEqual(DockerBuildEngine.buildArgs(target, "linux/arm64"), [
      "build",
      "--pull",
      "--platform",
      "linux/arm64",
      "--file",
      "catalog/images/agent/Dockerfile",
      "--tag",
      "127.0.0.1:5000/solera/agent:0.1.0-arm64",
      "--label",
      "org.opencontainers.image.title=agent",
      "--build-arg",
      "SOURCE_TAG=v1",
      "--secret",
      "id=ca,src=/etc/ssl/certs/ca-certificates.crt",
      "--secret",
      "id=token,env=TOKEN",
      "catalog/images/agent",
    ]);
  });

  it("docker build: a single platform keeps the plain version tag", () => {
    const single = { ...target, platforms: ["linux/amd64"] };
    assert.equal(
      DockerBuildEngine.localTag(single, "linux/amd64"),
      "127.0.0.1:5000/solera/agent:0.1.0",
    );
  });

  it("buildx bake: pushes by digest with a metadata file, attestations on request", () => {
    assert.deepEqual(
      BuildxEngine.bakeArgs("/t/bake.json", target, {
        metadataFile: "/t/m.json",
        sbom: true,
        provenance: true,
      }),
      [
        "buildx",
        "bake",
        "--file",
        "/t/bake.json",
        "--progress",
        "plain",
        "--pull",
        "--metadata-file",
        "/t/m.json",
        "--set",
        "agent.output=type=image,name=127.0.0.1:5000/solera/agent,push-by-digest=true,name-canonical=true,push=true",
        "--sbom=true",
        "--provenance=mode=max",
        "agent",
      ],
    );
  });

  it("buildctl: dockerfile frontend, all platforms at once, labels and args as frontend options, secrets as --secret", () => {
    assert.deepEqual(
      BuildctlEngine.buildArgs("tcp://builder:1234", target, { metadataFile: "/t/m.json" }),
      [
        "--addr",
        "tcp://builder:1234",
        "build",
        "--progress",
        "plain",
        "--frontend",
        "dockerfile.v0",
        "--opt",
        "image-resolve-mode=pull",
        "--local",
        "context=catalog/images/agent",
        "--local",
        "dockerfile=catalog/images/agent",
        "--opt",
        "filename=Dockerfile",
        "--opt",
        "platform=linux/amd64,linux/arm64",
        "--opt",
        "label:org.opencontainers.image.title=agent",
        "--opt",
        "build-arg:SOURCE_TAG=v1",
        "--secret",
        "id=ca,src=/etc/ssl/certs/ca-certificates.crt",
        "--secret",
        "id=token,env=TOKEN",
        "--output",
        "type=image,name=127.0.0.1:5000/solera/agent,push-by-digest=true,push=true",
        "--metadata-file",
        "/t/m.json",
      ],
    );
  });

  it("buildx bake: secrets reach the engine through the bake file's secret list", () => {
    const plan = { registry: "", revision: "", created: "", targets: [target], skipped: [] };
    assert.deepEqual(toBakeFile(plan, ".").target.agent?.secret, [
      "id=ca,src=/etc/ssl/certs/ca-certificates.crt",
      "id=token,env=TOKEN",
    ]);
    assert.ok(!BuildxEngine.bakeArgs("/t/bake.json", target).some((arg) => arg.includes("secret")));
  });

  it("names platform tag suffixes", () => {
    assert.equal(platformSuffix("linux/arm64"), "arm64");
    assert.equal(platformSuffix("linux/arm/v7"), "arm-v7");
  });
});

describe("checkEmulation", () => {
  const binfmt = mkdtempSync(join(tmpdir(), "solera-binfmt-"));
  writeFileSync(
    join(binfmt, "qemu-aarch64"),
    "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n",
  );
  writeFileSync(join(binfmt, "qemu-arm"), "disabled\n");

  it("accepts the host platform and an enabled emulator", () => {
    checkEmulation("agent", "linux/amd64", { host: "linux/amd64", binfmtDir: binfmt });
    checkEmulation("agent", "linux/arm64", { host: "linux/amd64", binfmtDir: binfmt });
  });

  it("names the platform and why when the emulator is missing", () => {
    assert.throws(
      () => checkEmulation("agent", "linux/s390x", { host: "linux/amd64", binfmtDir: binfmt }),
      {
        message: `cannot build agent for linux/s390x: this machine is linux/amd64 and no QEMU emulator for s390x is registered with binfmt_misc (${binfmt}/qemu-s390x is missing)`,
        exitCode: 3,
      },
    );
  });

  it("says so when the emulator is registered but disabled", () => {
    assert.throws(
      () => checkEmulation("agent", "linux/arm/v7", { host: "linux/amd64", binfmtDir: binfmt }),
      {
        message: `cannot build agent for linux/arm/v7: this machine is linux/amd64 and the QEMU emulator for arm is registered but disabled (${binfmt}/qemu-arm)`,
      },
    );
  });
});
