import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** The repository's root folder. */
export const ROOT = join(import.meta.dirname, "..");

/** What one run of the CLI left: its exit code and output. */
export interface CliRun {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how a CLI run happens. */
export interface CliRunOptions {
  /** The working folder; the repository's root by default. */
  cwd?: string;
  /** Variables set on top of this process's environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the solera CLI as a user meets it: its entry `bin/solera.js` in a separate node process.
 * Colours are off, and CI is cleared so the child behaves the same under a CI test run.
 */
export function runSolera(args: string[], options: CliRunOptions = {}): CliRun {
  const result = spawnSync(process.execPath, [join(ROOT, "bin/solera.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: "", ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
