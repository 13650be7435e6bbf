import type { CatalogImage } from "../../catalog/types.ts";
import type { Instruction, Stage } from "../../dockerfile/types.ts";
import { createFinding, dockerfilePlace } from "../finding.ts";
import { commandWords, runScript, splitCommands } from "../shell.ts";
import { absoluteDestination, finalStage } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const COPIED: Check = {
  id: "R1.wp-content-copy",
  title: "nothing is copied into wp-content",
  severity: "error",
  fix: "Ship plugins, themes and uploads through the operator's volume or ConfigMap, not the image.",
};
const WRITTEN: Check = {
  id: "R1.wp-content-write",
  title: "no RUN writes into wp-content",
  severity: "error",
  fix: "Install plugins and themes at deploy time into the operator's volume, not at build time.",
};

/** Programs that write files to the paths they are given. */
const WRITERS = new Set([
  "cp",
  "mv",
  "ln",
  "install",
  "rsync",
  "tee",
  "curl",
  "wget",
  "unzip",
  "tar",
  "git",
  "mkdir",
  "touch",
  "composer",
]);

/** R1 no application content: the image carries no site content, plugins, themes or uploads. */
export const noApplicationContent: Rule = {
  id: "R1",
  key: "plugins-themes-content",
  title: "No application content",
  rationale:
    "Plugins, themes and uploads are the operator's state, kept on a volume or ConfigMap; baked into an image they leak application state and cannot be updated without a rebuild.",
  severity: "error",
  fix: "Leave wp-content to the operator's volume; the image carries only the runtime.",
  checks: [COPIED, WRITTEN],
  check({ image }: GateContext): Finding[] {
    const final = finalStage(image.dockerfile);
    if (final === undefined) return [];
    return final.instructions.flatMap((instruction) => {
      if (instruction.keyword === "COPY" || instruction.keyword === "ADD") {
        return checkCopy(image, final, instruction);
      }
      return instruction.keyword === "RUN" ? checkRun(image, instruction) : [];
    });
  },
};

function checkCopy(image: CatalogImage, stage: Stage, instruction: Instruction): Finding[] {
  const destination = absoluteDestination(stage, instruction);
  if (!mentionsWpContent(destination)) return [];
  const message = `${instruction.keyword} puts files into ${destination}, which is the operator's content`;
  return [createFinding(COPIED, image, dockerfilePlace(image, instruction), message)];
}

function checkRun(image: CatalogImage, instruction: Instruction): Finding[] {
  const commands = splitCommands(runScript(instruction));
  const offending = commands.find((command) => {
    const words = commandWords(command);
    const [program = "", noun = "", verb = ""] = words;
    if (program === "wp" && /^(plugin|theme)$/.test(noun) && verb === "install") return true;
    if (command.redirects.some(mentionsWpContent)) return true;
    return WRITERS.has(program) && words.slice(1).some(mentionsWpContent);
  });
  if (offending === undefined) return [];
  const shown = commandWords(offending).slice(0, 4).join(" ");
  const message = `RUN writes into wp-content (${shown}…), which is the operator's content`;
  return [createFinding(WRITTEN, image, dockerfilePlace(image, instruction), message)];
}

function mentionsWpContent(path: string): boolean {
  return /(^|[/=])wp-content(\/|$)/.test(path);
}
