import { spawn } from "node:child_process";
import { z } from "zod";
import { UserError } from "../../errors.ts";
import type { Credentials } from "./credentials.ts";
import { registerSecret } from "./redact.ts";

/** What `docker-credential-<name> get` prints on stdout. */
export const HelperOutputSchema = z.object({ Username: z.string(), Secret: z.string() });
/** The credentials a helper returns. */
export type HelperOutput = z.infer<typeof HelperOutputSchema>;

// The credential helper protocol (docker-credential-helpers): the server URL goes to stdin,
// JSON {ServerURL, Username, Secret} comes back on stdout. A helper that has nothing stored
// exits non-zero and prints "credentials not found in native keychain".
const NOT_FOUND = /credentials not found/i;

// A Username of "<token>" marks the Secret as an identity token rather than a password.
const IDENTITY_TOKEN_USER = "<token>";

const TIMEOUT_MS = 15_000;

/**
 * Runs `docker-credential-<helper> get` for a server URL. Returns `undefined` when the helper
 * has no credentials for it; throws a UserError when the helper is missing or fails otherwise.
 */
export async function runCredentialHelper(
  helper: string,
  serverUrl: string,
): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr, spawnError } = await runWithInput(program, serverUrl);

  if (spawnError !== undefined) {
    throw new UserError(`cannot run the credential helper ${program}`, {
      hint: `install ${program} or remove "${helper}" from the Docker config`,
      cause: spawnError,
    });
  }
  if (code !== 0 && NOT_FOUND.test(`${stdout}${stderr}`)) return undefined;
  if (code !== 0) {
    throw new UserError(
      `the credential helper ${program} failed with exit code ${code}: ${stderr.trim() || stdout.trim()}`,
    );
  }

  const parsed = HelperOutputSchema.safeParse(safeJson(stdout));
  if (!parsed.success) {
    throw new UserError(
      `the credential helper ${program} printed something other than {"Username", "Secret"} JSON`,
    );
  }
  registerSecret(parsed.data.Secret);
  if (parsed.data.Username === IDENTITY_TOKEN_USER) return { identityToken: parsed.data.Secret };
  return { username: parsed.data.Username, password: parsed.data.Secret };
}

interface HelperRun {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: Error;
}

function runWithInput(program: string, input: string): Promise<HelperRun> {
  return new Promise((resolve) => {
    const child = spawn(program, ["get"], { stdio: ["pipe", "pipe", "pipe"], timeout: TIMEOUT_MS });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (spawnError) => resolve({ code: null, stdout, stderr, spawnError }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
