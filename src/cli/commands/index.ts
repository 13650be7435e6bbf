import type { Command } from "commander";

/** Adds every solera command to the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  void program;
}
