import { commandWords, type ShellCommand } from "./shell.ts";

// What a RUN script installs and removes, read from its commands. Package managers of the
// distributions official images build on (apt, apk, dnf/yum/microdnf) and the language-level
// installers an image extension typically uses (PHP's docker-php-ext-install and pecl, pip, npm,
// gem, cargo).

/** Something a script installs: the tool that installs it and the component's name. */
export interface Installed {
  /** `apt`, `apk`, `dnf`, `php-ext`, `pecl`, `pip`, `npm`, `gem`, `cargo`. */
  manager: string;
  /** The name without version or architecture suffixes, lower-cased. */
  name: string;
  /** apk's `--virtual` group the package was added under, when any. */
  group?: string;
}

const SYSTEM_MANAGERS = new Set(["apt", "apk", "dnf"]);

/** Every install a script performs, in order, whether or not it is removed later. */
export function findInstalls(commands: ShellCommand[]): Installed[] {
  return commands.flatMap((command) => installsOf(commandWords(command)));
}

/**
 * The distribution packages a script installs and leaves in place. A package counts as removed
 * when the same script purges it by name (`apt-get purge`, `apk del`, `dnf remove`), deletes its
 * apk `--virtual` group, or runs the official images' idiom: `apt-mark auto '.*'` followed by
 * `apt-get purge --auto-remove` (or `autoremove`), which removes everything not marked manual
 * again by name.
 */
export function keptPackages(commands: ShellCommand[]): Installed[] {
  let kept: Installed[] = [];
  let autoMarked: Installed[] | undefined;
  let manual = new Set<string>();

  for (const command of commands) {
    const words = commandWords(command);
    const installs = installsOf(words).filter((item) => SYSTEM_MANAGERS.has(item.manager));
    kept.push(...installs);

    const [tool = "", verb = ""] = words;
    if (tool === "apt-mark" && verb === "auto") {
      autoMarked = kept.filter((item) => item.manager === "apt");
      manual = new Set();
    } else if (tool === "apt-mark" && verb === "manual") {
      for (const name of operands(words.slice(2))) manual.add(normalise(name));
    }

    const removed = removalsOf(words);
    if (removed.autoRemove && autoMarked !== undefined) {
      const purge = new Set(autoMarked.filter((item) => !manual.has(item.name)));
      kept = kept.filter((item) => !purge.has(item));
    }
    kept = kept.filter(
      (item) => !removed.names.has(item.name) && !removed.names.has(item.group ?? ""),
    );
  }
  return kept;
}

function installsOf(words: string[]): Installed[] {
  const [tool = "", verb = "", ...rest] = words;
  const base = tool.split("/").at(-1) ?? tool;
  const named = (manager: string, names: string[], group?: string): Installed[] =>
    names.map((name) => ({ manager, name: normalise(name), ...(group ? { group } : {}) }));

  if (/^apt(-get)?$|^aptitude$/.test(base) && verb === "install") {
    return named("apt", operands(rest, ["-o", "-t", "--target-release"]));
  }
  if (base === "apk" && verb === "add") {
    return named("apk", operands(rest, APK_VALUED), groupOf(rest));
  }
  if (/^(dnf|yum|microdnf|zypper)$/.test(base) && (verb === "install" || verb === "in")) {
    return named("dnf", operands(rest));
  }
  if (base === "docker-php-ext-install" || base === "install-php-extensions") {
    return named("php-ext", operands([verb, ...rest], ["-j"]));
  }
  const languageManagers: Record<string, string> = { pecl: "pecl", pip: "pip", pip3: "pip" };
  const manager = languageManagers[base];
  if (manager !== undefined && verb === "install") return named(manager, operands(rest));
  if (base === "gem" && verb === "install") return named("gem", operands(rest));
  if (base === "cargo" && verb === "install") return named("cargo", operands(rest));
  if (
    base === "npm" &&
    /^(install|i|add)$/.test(verb) &&
    rest.some((w) => /^(-g|--global)$/.test(w))
  ) {
    return named("npm", operands(rest));
  }
  return [];
}

const APK_VALUED = ["--virtual", "-t", "--repository", "-X", "--root", "-p"];

function groupOf(words: string[]): string | undefined {
  const flag = words.findIndex((word) => word === "--virtual" || word === "-t");
  const inline = words.find((word) => word.startsWith("--virtual="));
  return flag === -1 ? inline?.slice("--virtual=".length) : words[flag + 1];
}

function removalsOf(words: string[]): { names: Set<string>; autoRemove: boolean } {
  const [tool = "", verb = "", ...rest] = words;
  const names = new Set<string>();
  let autoRemove = false;
  if (/^apt(-get)?$/.test(tool) && /^(purge|remove|autoremove)$/.test(verb)) {
    autoRemove = verb === "autoremove" || rest.some((w) => /^--auto-?remove$/.test(w));
    for (const name of operands(rest, ["-o"])) names.add(normalise(name));
  }
  if (tool === "apk" && verb === "del") for (const name of operands(rest)) names.add(name);
  if (/^(dnf|yum|microdnf)$/.test(tool) && /^(remove|erase)$/.test(verb)) {
    for (const name of operands(rest)) names.add(normalise(name));
  }
  return { names, autoRemove };
}

/** The non-option words, skipping the value after each option listed as taking one. */
function operands(words: string[], valued: string[] = []): string[] {
  const result: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? "";
    if (valued.includes(word)) index++;
    else if (!word.startsWith("-") && word !== "") result.push(word);
  }
  return result;
}

/** `pkg=1.2`, `pkg:amd64`, `imagick-3.7.0`, `pkg==2`, `pkg@1` → the bare name, lower-cased. */
export function normalise(name: string): string {
  const bare = name.replace(/[=<>~@:].*$/, "").replace(/-v?\d[\w.]*$/, "");
  return bare.toLowerCase();
}
