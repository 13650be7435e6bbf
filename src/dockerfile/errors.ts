import { UserError } from "../errors.ts";

/** A Dockerfile that BuildKit would refuse to parse; the message starts with `path:line:`. */
export class DockerfileSyntaxError extends UserError {
  /** The Dockerfile's path as given. */
  readonly path: string;
  /** 1-based line of the problem. */
  readonly line: number;

  constructor(path: string, line: number, problem: string, hint?: string) {
    super(`${path}:${line}: ${problem}`, { hint });
    this.name = "DockerfileSyntaxError";
    this.path = path;
    this.line = line;
  }
}
