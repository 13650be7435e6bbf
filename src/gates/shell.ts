import type { Instruction } from "../dockerfile/types.ts";

// A small reader for the shell commands of RUN instructions: enough to see which programs run
// with which words, and where output is redirected. It is not a shell: no expansion, no
// functions, no control flow. Quoting and operators follow POSIX sh closely enough that
// `a && b; c | d` splits into four commands and `"$(x y)"` stays one word.

/** One simple command: its words (quotes removed) and the targets of its output redirections. */
export interface ShellCommand {
  words: string[];
  redirects: string[];
}

/** The script a RUN executes: shell-form text, the exec-form words, or its heredoc bodies. */
export function runScript(instruction: Instruction): string {
  const bodies = instruction.heredocs.map((heredoc) => heredoc.body);
  if (bodies.length > 0) return [instruction.args, ...bodies].join("\n");
  if (instruction.execForm) return instruction.argv.join(" ");
  return instruction.args;
}

/** Splits a script into simple commands at `;`, `&`, `&&`, `|`, `||` and newlines. */
export function splitCommands(script: string): ShellCommand[] {
  const lexer = new Lexer();
  for (let index = 0; index < script.length; index++) index = lexer.feed(script, index);
  lexer.endCommand();
  return lexer.commands;
}

class Lexer {
  commands: ShellCommand[] = [];
  private words: string[] = [];
  private redirects: string[] = [];
  private word = "";
  private inWord = false;
  private quote: string | undefined;
  private depth = 0;
  private redirectNext = false;

  /** Consumes the character at index (and maybe more); returns the last index consumed. */
  feed(text: string, index: number): number {
    const char = text.charAt(index);
    if (this.quote !== undefined) return this.inQuote(text, index, char);
    if (char === "\\") {
      if (text.charAt(index + 1) !== "\n") this.add(text.charAt(index + 1));
      return index + 1;
    }
    if (char === "'" || char === '"') {
      this.quote = char;
      this.inWord = true;
      return index;
    }
    if (char === "$" && text.charAt(index + 1) === "(") {
      this.depth++;
      this.add("$(");
      return index + 1;
    }
    if (this.depth > 0) {
      if (char === ")") this.depth--;
      this.add(char);
      return index;
    }
    return this.outside(text, index, char);
  }

  private outside(text: string, index: number, char: string): number {
    if (char === "#" && !this.inWord) {
      const end = text.indexOf("\n", index);
      return end === -1 ? text.length : end - 1;
    }
    if (/[ \t\r]/.test(char)) {
      this.endWord();
      return index;
    }
    if (/[;&|\n()]/.test(char)) {
      this.endCommand();
      return index;
    }
    if (char === ">" || char === "<") {
      const digitsOnly = /^[0-9]*$/.test(this.word);
      if (digitsOnly) this.word = "";
      else this.endWord();
      this.inWord = false;
      this.redirectNext = char === ">";
      return text.charAt(index + 1) === char ? index + 1 : index;
    }
    this.add(char);
    return index;
  }

  private inQuote(text: string, index: number, char: string): number {
    if (char === this.quote) {
      this.quote = undefined;
      return index;
    }
    if (this.quote === '"' && char === "\\" && /["\\$`]/.test(text.charAt(index + 1))) {
      this.add(text.charAt(index + 1));
      return index + 1;
    }
    this.add(char);
    return index;
  }

  private add(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  private endWord(): void {
    if (!this.inWord) return;
    if (this.redirectNext) this.redirects.push(this.word);
    else this.words.push(this.word);
    this.redirectNext = false;
    this.word = "";
    this.inWord = false;
  }

  endCommand(): void {
    this.endWord();
    if (this.words.length > 0 || this.redirects.length > 0) {
      this.commands.push({ words: this.words, redirects: this.redirects });
    }
    this.words = [];
    this.redirects = [];
    this.redirectNext = false;
  }
}

/**
 * The words of a command without what only wraps it: leading `VAR=value` assignments and the
 * wrappers `sudo`, `env`, `command`, `exec`, `nice`, `time`, and the grouping `{` and `!`.
 */
export function commandWords(command: ShellCommand): string[] {
  const words = [...command.words];
  const wrappers = new Set(["sudo", "env", "command", "exec", "nice", "time", "{", "!"]);
  while (words.length > 0) {
    const first = words[0] ?? "";
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first) || wrappers.has(first)) words.shift();
    else break;
  }
  return words;
}
