import { spawn } from "node:child_process";

/** How many lines of an engine's log a failure message carries. */
export const LOG_TAIL_LINES = 20;

/** What a finished process left behind. */
export interface ProcessResult {
  code: number;
  stdout: string;
  /** The last lines of stdout and stderr together, in the order they came. */
  tail: string[];
}

/** Where an engine's log goes: a writable such as process.stderr, or nothing. */
export interface LogSink {
  write(chunk: string | Uint8Array): unknown;
}

/** How to run one engine command. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives stdout and stderr as they come (build logs go to stderr, not stdout). */
  log?: LogSink;
  /** Text written to the process's standard input. */
  input?: string;
}

/**
 * Runs a command and resolves with its exit code, its stdout and the tail of its output.
 * Rejects only when the command cannot be started (ENOENT, EACCES); a non-zero exit resolves.
 */
export function runProcess(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const tail = new LineTail(LOG_TAIL_LINES);
    let stdout = "";

    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      tail.push(chunk);
      options.log?.write(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      tail.push(chunk);
      options.log?.write(chunk);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);

    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), stdout, tail: tail.lines() });
    });
  });
}

/** Keeps the last N lines of a stream of chunks. */
class LineTail {
  readonly limit: number;
  private kept: string[] = [];
  private partial = "";

  constructor(limit: number) {
    this.limit = limit;
  }

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString("utf8")).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    this.kept.push(...parts.filter((line) => line.trim() !== ""));
    if (this.kept.length > this.limit) this.kept = this.kept.slice(-this.limit);
  }

  lines(): string[] {
    const all = this.partial.trim() ? [...this.kept, this.partial] : this.kept;
    return all.slice(-this.limit);
  }
}
