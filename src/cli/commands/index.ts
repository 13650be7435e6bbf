import type { Command } from "commander";
import { registerBuildCommand } from "./build.ts";
import { registerCheckCommand } from "./check.ts";
import { registerExplainCommand } from "./explain.ts";
import { registerPlanCommand } from "./plan.ts";
import { registerPushCommand } from "./push.ts";

/** Adds every solera command to the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  void program;
  registerCheckCommand(program);
  registerExplainCommand(program);
  registerPlanCommand(program);
  registerBuildCommand(program);
  registerPushCommand(program);
}
