import type { Command } from "commander";
import { registerAuditCommand } from "./audit.ts";
import { registerBuildCommand } from "./build.ts";
import { registerCheckCommand } from "./check.ts";
import { registerExplainCommand } from "./explain.ts";
import { registerListCommand } from "./list.ts";
import { registerPlanCommand } from "./plan.ts";
import { registerPushCommand } from "./push.ts";
import { registerShowCommand } from "./show.ts";
import { registerSmokeCommand } from "./smoke.ts";

/** Adds every solera command to the program. One file per command in this folder. */
export function registerCommands(program: Command): void {
  void program;
  registerListCommand(program);
  registerShowCommand(program);
  registerCheckCommand(program);
  registerExplainCommand(program);
  registerPlanCommand(program);
  registerBuildCommand(program);
  registerPushCommand(program);
  registerAuditCommand(program);
  registerSmokeCommand(program);
}
