/** Exit codes every solera command documents. */
export const ExitCode = {
  /** Everything asked for succeeded; for `check`, every image is admissible. */
  ok: 0,
  /** The command ran and found problems: findings at error level, or some images failed. */
  failed: 1,
  /** Bad usage or a catalog that does not load. */
  usage: 2,
  /** The environment is missing something: no build engine, no QEMU, a registry unreachable. */
  environment: 3,
  /** The registry refused the credentials, or they have no access to the repository. */
  auth: 4,
  /** The registry already holds the tag at another digest (pinned tags are immutable). */
  conflict: 5,
  /** A bug in solera. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can fix: its message says what is wrong, `hint` says what to do, and
 * `exitCode` is what the CLI exits with. Lower layers throw subclasses; the CLI prints them.
 */
export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;

  constructor(
    message: string,
    options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "UserError";
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
  }
}

/**
 * The messages of an error and its causes, joined as `outer: inner: innermost`. A cause whose
 * message the text already holds is left out: a layer that quoted its cause in its own message
 * would otherwise have that cause printed again, once per layer.
 */
export function describeError(error: unknown): string {
  let text = "";
  const add = (message: string) => {
    if (message === "" || text.includes(message)) return;
    text = text === "" ? message : `${text}: ${message}`;
  };
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    add(current.message);
    current = current.cause;
  }
  if (current !== undefined && !(current instanceof Error)) add(String(current));
  return text;
}

/** The first UserError in an error's cause chain, if any. */
export function findUserError(error: unknown): UserError | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof UserError) return current;
    current = current.cause;
  }
  return undefined;
}
