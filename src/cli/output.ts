import { styleText } from "node:util";

/** How a command prints: results on stdout, everything else on stderr; colour only on a terminal. */
export interface Output {
  json: boolean;
  /** Print a result (stdout). */
  result(text: string): void;
  /** Print a value as JSON on stdout. */
  resultJson(value: unknown): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  success(text: string): void;
  /** Colour helpers that do nothing when stderr/stdout is not a terminal. */
  paint(
    style: "red" | "yellow" | "green" | "dim" | "bold" | "cyan",
    text: string,
    stream?: "stdout" | "stderr",
  ): string;
}

let jsonDocuments = 0;

/**
 * How many JSON documents `resultJson` has printed in this process. The CLI's error handler
 * compares it with the count at the start of a run: a command that already printed its result
 * (with the error folded in) must not get a second document after it, or stdout stops being JSON.
 */
export function jsonDocumentsPrinted(): number {
  return jsonDocuments;
}

/** Creates the Output for one command run. */
export function createOutput(options: { json: boolean }): Output {
  const colour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;
  const paint: Output["paint"] = (style, text, stream = "stdout") =>
    colour(stream === "stdout" ? process.stdout : process.stderr)
      ? styleText(style, text, { validateStream: false })
      : text;

  return {
    json: options.json,
    paint,
    result: (text) => process.stdout.write(`${text}\n`),
    resultJson: (value) => {
      jsonDocuments += 1;
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    info: (text) => process.stderr.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${paint("yellow", "warning:", "stderr")} ${text}\n`),
    error: (text) => process.stderr.write(`${paint("red", "error:", "stderr")} ${text}\n`),
    success: (text) => process.stderr.write(`${paint("green", "✓", "stderr")} ${text}\n`),
  };
}
