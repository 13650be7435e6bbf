import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExitCode } from "../errors.ts";
import { findDockerClient } from "./docker.ts";

describe("findDockerClient", () => {
  it("says that smoke tests need a Docker engine when no client is on PATH (exit 3)", async () => {
    await assert.rejects(findDockerClient({ PATH: "/nonexistent" }), {
      name: "UserError",
      message: "smoke tests need a Docker engine to run containers: no docker client on PATH",
      hint: "install the Docker engine (Debian: apt-get install docker.io) and start dockerd; SOLERA_DOCKER may name the docker client to use",
      exitCode: ExitCode.environment,
    });
  });

  it("names SOLERA_DOCKER when it is not an executable", async () => {
    await assert.rejects(
      findDockerClient({ PATH: "/nonexistent", SOLERA_DOCKER: "/nonexistent" }),
      {
        message:
          "smoke tests need a Docker engine to run containers: SOLERA_DOCKER=/nonexistent is not an executable",
      },
    );
  });
});
