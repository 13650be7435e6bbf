import { readFileSync } from "node:fs";
import type { Command, CommanderError } from "commander";
import { ExitCode } from "../errors.ts";

/** The version in package.json, which `solera --version` prints. */
export function readVersion(): string {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

/** True when `--json` stands anywhere among the arguments, before a `--` that ends the options. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/**
 * The JSON document for a usage error commander found (unknown command or option, missing or
 * extra argument, no command at all): commander's message without its `error: ` prefix, and a
 * hint naming the help of the command the user was running.
 */
export function usageErrorJson(
  error: CommanderError,
  program: Command,
  argv: readonly string[],
): { error: string; hint: string; exitCode: number } {
  const message =
    error.code === "commander.help" ? "no command given" : error.message.replace(/^error: /, "");
  const name = commandNamed(program, argv);
  const hint =
    name === undefined
      ? "run solera --help to see the commands"
      : `run solera ${name} --help to see its usage`;
  return { error: message, hint, exitCode: ExitCode.usage };
}

/** The first argument that names one of the program's commands, skipping option values. */
function commandNamed(program: Command, argv: readonly string[]): string | undefined {
  const names = new Set(program.commands.map((command) => command.name()));
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] ?? "";
    if (word === "--catalog") index++;
    else if (names.has(word)) return word;
    else if (!word.startsWith("-")) return undefined;
  }
  return undefined;
}
