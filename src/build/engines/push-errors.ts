import { ExitCode, UserError } from "../../errors.ts";
import { BuildFailedError } from "./engine.ts";

// What the Docker daemon and BuildKit print when a registry refuses credentials or cannot be
// reached; `docker push` exits 1 for all of them, so the log is the only evidence.
const AUTH =
  /unauthorized|authentication required|no basic auth credentials|denied: |incorrect username or password/i;
const UNREACHABLE =
  /connection refused|no such host|i\/o timeout|network is unreachable|dial tcp|server gave HTTP response to HTTPS client/i;

/** Turns a failed push into the error the user needs: credentials (4), reachability (3) or other (1). */
export function pushFailure(what: string, registry: string, code: number, tail: string[]): Error {
  const log = tail.join("\n");
  const evidence = tail.slice(-3).join(" / ");
  if (AUTH.test(log)) {
    return new UserError(
      `${what}: the registry ${registry} refused the credentials (${evidence})`,
      {
        exitCode: ExitCode.auth,
        hint: `log in with docker login ${registry.split("/")[0]} (credentials are read from the Docker config, $DOCKER_CONFIG/config.json)`,
      },
    );
  }
  if (UNREACHABLE.test(log)) {
    return new UserError(`${what}: the registry ${registry} cannot be reached (${evidence})`, {
      exitCode: ExitCode.environment,
      hint: "check that the registry is running and the address is right; a plain-http registry off loopback must be listed in dockerd's insecure-registries",
    });
  }
  return new BuildFailedError(what, code, tail);
}
