import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CatalogImage } from "../../catalog/types.ts";
import type { Instruction } from "../../dockerfile/types.ts";
import { createFinding, type Place } from "../finding.ts";
import {
  CAPABILITY_KEYS,
  type IniSetting,
  isLogicSetting,
  parseIni,
  parseSize,
  SIZE_KEYS,
} from "../ini.ts";
import { commandWords, runScript, splitCommands } from "../shell.ts";
import { copyOperands, finalStage, heredocStartLines } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const check = (name: string, title: string, fix: string, severity: Check["severity"] = "error") =>
  ({ id: `T2.${name}`, title, severity, fix }) satisfies Check;

const LOGIC = check(
  "logic-setting",
  "baked ini files leave application-logic settings to the operator",
  "Remove the setting from the image; the operator sets it through a ConfigMap mounted into conf.d.",
);
const NOT_CAPABILITY = check(
  "not-capability",
  "baked ini files set only capability-bound limits",
  "Bake only limits (upload_max_filesize, post_max_size, memory_limit, max_execution_time, max_input_time, max_input_vars, …); leave the rest to the operator.",
);
const MALFORMED = check(
  "malformed",
  "every ini line is key = value",
  "Write the line as key = value.",
);
const INVALID_SIZE = check(
  "invalid-size",
  "size limits are PHP sizes",
  "Write the size as a number with an optional K, M or G suffix (e.g. 64M).",
);
const POST_BELOW_UPLOAD = check(
  "post-below-upload",
  "post_max_size is not below upload_max_filesize",
  "Raise post_max_size to at least upload_max_filesize: an upload travels inside a POST body.",
);
const MEMORY_BELOW_POST = check(
  "memory-below-post",
  "memory_limit is not below post_max_size",
  "Raise memory_limit above post_max_size, as PHP's manual advises, or lower post_max_size.",
  "warning",
);

const DUPLICATE = check(
  "duplicate-key",
  "each key is set once per ini file",
  "Keep one line per key: PHP silently keeps the last value, so the earlier one misleads a reader.",
  "warning",
);

/** Keys PHP reads as a list, one line per item (`extension = gd`, `extension = gmp`). */
const REPEATABLE_KEYS = new Set(["extension", "zend_extension"]);

/** An ini text of the delta and how its lines map to lines of a file. */
interface IniSource {
  text: string;
  place(line: number): Place;
}

/** T2 baked defaults vs runtime config: bake capability-bound limits, leave logic to the operator. */
export const bakedDefaultsVsRuntimeConfig: Rule = {
  id: "T2",
  key: "baked-defaults-vs-runtime-config",
  title: "Baked Defaults vs Runtime Config",
  rationale:
    "Limits tied to what an image is for (uploads, memory, time) belong in the image; application logic (sessions, error reporting) belongs to the operator, who must be able to override it.",
  severity: "error",
  fix: "Keep only capability-bound limits in the delta's ini files, consistent with each other.",
  checks: [
    LOGIC,
    NOT_CAPABILITY,
    MALFORMED,
    INVALID_SIZE,
    POST_BELOW_UPLOAD,
    MEMORY_BELOW_POST,
    DUPLICATE,
  ],
  check({ image }: GateContext): Finding[] {
    const findings: Finding[] = [];
    const effective = new Map<string, { setting: IniSetting; place: Place }>();
    for (const source of iniSources(image)) {
      const seen = new Map<string, IniSetting>();
      for (const setting of parseIni(source.text)) {
        const place = source.place(setting.line);
        findings.push(...judgeSetting(image, setting, place));
        findings.push(...judgeRepeat(image, seen.get(setting.key), setting, place));
        if (setting.key !== "") effective.set(setting.key, { setting, place });
        seen.set(setting.key, setting);
      }
    }
    findings.push(...judgeLimits(image, effective));
    return findings;
  },
};

function judgeSetting(image: CatalogImage, setting: IniSetting, place: Place): Finding[] {
  const { key, value } = setting;
  if (key === "") {
    return [createFinding(MALFORMED, image, place, `"${value}" is not a key = value setting`)];
  }
  if (isLogicSetting(key)) {
    const message = `${key} is an application-logic setting; the image must not bake it`;
    return [createFinding(LOGIC, image, place, message)];
  }
  if (!CAPABILITY_KEYS.has(key)) {
    const message = `${key} is not a capability-bound limit, so it is not the image's to bake`;
    return [createFinding(NOT_CAPABILITY, image, place, message)];
  }
  if (SIZE_KEYS.has(key) && parseSize(value) === undefined) {
    const message = `${key} = ${value} is not a PHP size (a number with an optional K, M or G)`;
    return [createFinding(INVALID_SIZE, image, place, message)];
  }
  return [];
}

/** A key set again in the same ini text, cited at the later line. */
function judgeRepeat(
  image: CatalogImage,
  earlier: IniSetting | undefined,
  setting: IniSetting,
  place: Place,
): Finding[] {
  if (earlier === undefined || setting.key === "" || REPEATABLE_KEYS.has(setting.key)) return [];
  const first = place.file === image.dockerfilePath ? "earlier" : `at line ${earlier.line}`;
  const message = `${setting.key} is set again (first ${first}, to ${earlier.value}); PHP keeps this later value, ${setting.value}`;
  return [createFinding(DUPLICATE, image, place, message)];
}

function judgeLimits(
  image: CatalogImage,
  effective: Map<string, { setting: IniSetting; place: Place }>,
): Finding[] {
  const size = (key: string) => {
    const entry = effective.get(key);
    const bytes = entry === undefined ? undefined : parseSize(entry.setting.value);
    return entry === undefined || bytes === undefined ? undefined : { ...entry, bytes };
  };
  const upload = size("upload_max_filesize");
  const post = size("post_max_size");
  const memory = size("memory_limit");
  const findings: Finding[] = [];

  // post_max_size = 0 lifts the limit; memory_limit = -1 lifts it.
  if (upload && post && post.bytes > 0 && post.bytes < upload.bytes) {
    const message = `post_max_size = ${post.setting.value} is below upload_max_filesize = ${upload.setting.value}, so uploads near the limit fail`;
    findings.push(createFinding(POST_BELOW_UPLOAD, image, post.place, message));
  }
  if (post && memory && memory.bytes > 0 && post.bytes > 0 && memory.bytes < post.bytes) {
    const message = `memory_limit = ${memory.setting.value} is below post_max_size = ${post.setting.value}`;
    findings.push(createFinding(MEMORY_BELOW_POST, image, memory.place, message));
  }
  return findings;
}

/** The delta's ini texts: its .ini files, ini heredocs and ini files written by RUN echo. */
function iniSources(image: CatalogImage): IniSource[] {
  const sources: IniSource[] = [];
  for (const name of image.files ?? []) {
    if (!name.endsWith(".ini")) continue;
    const file = join(image.dir, name);
    sources.push({ text: readText(file), place: (line) => ({ file, line }) });
  }
  const final = finalStage(image.dockerfile);
  for (const instruction of final?.instructions ?? []) {
    sources.push(...heredocSources(image, instruction), ...echoSources(image, instruction));
  }
  return sources;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // The loader listed the file a moment ago; one that vanished has nothing left to judge.
    return "";
  }
}

function heredocSources(image: CatalogImage, instruction: Instruction): IniSource[] {
  if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") return [];
  if (!copyOperands(instruction).destination.endsWith(".ini")) return [];
  const starts = heredocStartLines(instruction);
  return instruction.heredocs.map((heredoc, index) => ({
    text: heredoc.body,
    place: (line: number) => ({
      file: image.dockerfilePath,
      line: (starts[index] ?? instruction.start.line) + line - 1,
    }),
  }));
}

/** `{ echo 'a = 1'; echo 'b = 2'; } > x.ini` and `echo … | tee x.ini`, cited at the RUN. */
function echoSources(image: CatalogImage, instruction: Instruction): IniSource[] {
  if (instruction.keyword !== "RUN") return [];
  const commands = splitCommands(runScript(instruction));
  const writesIni = commands.some(
    (command) =>
      command.redirects.some((target) => target.endsWith(".ini")) ||
      (commandWords(command)[0] === "tee" && command.words.some((word) => word.endsWith(".ini"))),
  );
  if (!writesIni) return [];
  const lines = commands
    .map(commandWords)
    .filter((words) => words[0] === "echo" || words[0] === "printf")
    .flatMap((words) => words.slice(1).filter((word) => !/^-[a-z]+$/.test(word)))
    .flatMap((word) => word.split(/\\n|\n/));
  const place = { file: image.dockerfilePath, line: instruction.start.line };
  return [{ text: lines.join("\n"), place: () => place }];
}
