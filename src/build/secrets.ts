import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { UserError } from "../errors.ts";
import type { BuildSecret } from "./types.ts";

const KEYS = ["id", "type", "src", "source", "env"];

/**
 * Parses one `--secret` value in BuildKit's syntax: `id=<id>,src=<path>` (also `source=`),
 * `id=<id>,env=<VAR>`, with an optional `type=file|env`. Without `id` a file secret is named
 * after the file, and an env secret after the variable, as BuildKit does. A relative `src` is
 * made absolute, so a bake file written elsewhere still finds it. Throws a UserError (exit 2)
 * naming the flag for unknown keys, a missing file or an unset variable.
 */
export function parseSecret(text: string, env: NodeJS.ProcessEnv = process.env): BuildSecret {
  const fields = readFields(text);
  const type = fields.get("type");
  const src = fields.get("src") ?? fields.get("source");
  const variable = fields.get("env");

  if (type !== undefined && type !== "file" && type !== "env") {
    throw secretError(text, `type must be file or env, not "${type}"`);
  }
  if (src !== undefined && variable !== undefined) {
    throw secretError(text, "give either src or env, not both");
  }
  if (type === "file" && variable !== undefined) {
    throw secretError(text, "type=file takes src, not env");
  }
  // With type=env, BuildKit reads src as the variable's name; with id alone, the id is.
  if (type === "env" || variable !== undefined || (src === undefined && fields.has("id"))) {
    return envSecret(text, fields.get("id"), variable ?? src ?? fields.get("id"), env);
  }
  if (src === undefined) throw secretError(text, "it names neither id, src nor env");
  return fileSecret(text, fields.get("id"), src);
}

/** Parses every `--secret` value; rejects two secrets with the same id. */
export function parseSecrets(
  values: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BuildSecret[] {
  const secrets = (values ?? []).map((value) => parseSecret(value, env));
  const seen = new Set<string>();
  for (const secret of secrets) {
    if (seen.has(secret.id)) {
      throw new UserError(`--secret: the id "${secret.id}" is given twice`, {
        hint: "give each build secret its own id",
      });
    }
    seen.add(secret.id);
  }
  return secrets;
}

/**
 * A secret back in BuildKit's syntax, as `docker build --secret`, `buildctl --secret` and a bake
 * file's `secret` list take it: `id=ca,src=/etc/ssl/certs/ca.crt` or `id=token,env=TOKEN`.
 */
export function formatSecret(secret: BuildSecret): string {
  return "src" in secret
    ? `id=${secret.id},src=${secret.src}`
    : `id=${secret.id},env=${secret.env}`;
}

function readFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const at = part.indexOf("=");
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    if (!KEYS.includes(key)) {
      throw secretError(text, `unknown key "${key}" (BuildKit's keys are id, type, src, env)`);
    }
    if (at < 0 || part.slice(at + 1) === "") throw secretError(text, `${key} has no value`);
    if (fields.has(key)) throw secretError(text, `${key} is given twice`);
    fields.set(key, part.slice(at + 1));
  }
  return fields;
}

function fileSecret(text: string, id: string | undefined, src: string): BuildSecret {
  const path = resolve(src);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw secretError(text, `the file ${path} does not exist`, FILE_HINT);
  }
  if (!isFile) throw secretError(text, `${path} is not a file`, FILE_HINT);
  return { id: id ?? basename(path), src: path };
}

function envSecret(
  text: string,
  id: string | undefined,
  variable: string | undefined,
  env: NodeJS.ProcessEnv,
): BuildSecret {
  if (!variable) throw secretError(text, "it names no environment variable");
  if (env[variable] === undefined) {
    throw secretError(
      text,
      `the environment variable ${variable} is not set`,
      `set ${variable} in the environment solera runs in, or pass the secret from a file with src=<path>`,
    );
  }
  return { id: id ?? variable, env: variable };
}

const SYNTAX_HINT =
  "use BuildKit's syntax: --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt or --secret id=token,env=TOKEN";

const FILE_HINT =
  "pass the path of a readable file; a CA bundle is often what NODE_EXTRA_CA_CERTS or SSL_CERT_FILE names";

function secretError(text: string, problem: string, hint: string = SYNTAX_HINT): UserError {
  return new UserError(`--secret ${text}: ${problem}`, { hint });
}

/**
 * The `--secret` value offering this machine's CA bundle as the secret `ca`: the file that
 * NODE_EXTRA_CA_CERTS names, else SSL_CERT_FILE, when it is a non-empty file; undefined when
 * neither is. On networks that intercept TLS, a package manager inside a build trusts the
 * intercepting CA only through this bundle; Dockerfiles mount it with
 * `RUN --mount=type=secret,id=ca,required=false`, and images that do not ask for it ignore it.
 */
export function machineCaSecret(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const bundle of [env.NODE_EXTRA_CA_CERTS, env.SSL_CERT_FILE]) {
    if (!bundle) continue;
    try {
      if (statSync(bundle).size > 0) return `id=ca,src=${bundle}`;
    } catch {
      // Not there: try the next variable, as the main job does.
    }
  }
  return undefined;
}
