import { basename, join } from "node:path";
import type { CatalogImage } from "../../catalog/types.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import { assignments, copyOperands } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const SECRET_FILE: Check = {
  id: "R2.secret-file",
  title: "no key, credential or .env file is part of the delta",
  severity: "error",
  fix: "Remove the file from the image folder; deliver it at run time as a Kubernetes Secret.",
};
const SECRET_VALUE: Check = {
  id: "R2.secret-value",
  title: "no ENV or ARG holds a literal secret",
  severity: "error",
  fix: "Drop the literal; pass the value at run time from a Secret (or as a *_FILE path to a mounted Secret).",
};
const DEPLOY_SECRET: Check = {
  id: "R2.deploy-secret-literal",
  title: "deploy.env takes secrets from a Secret",
  severity: "error",
  fix: "Replace value with secret: <secret-name>/<key>.",
};

/** File names that hold keys or credentials. */
const SECRET_FILE_NAME =
  /^(\.env(\..+)?|id_(rsa|dsa|ecdsa|ed25519)|credentials(\.json)?|\.netrc|\.pgpass|\.npmrc|\.htpasswd|htpasswd|.+\.(pem|key|p12|pfx|jks|keystore|kdbx))$/i;

/** Variable names that hold secrets, unless they name a file or a place (`*_FILE`, `*_PATH`). */
const SECRET_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)/i;
const REFERENCE_NAME = /_(FILE|PATH|DIR|HOST|USER(NAME)?)$/i;

/** R2 no secrets: credentials never travel inside an image. */
export const noSecrets: Rule = {
  id: "R2",
  key: "no-secrets",
  title: "No secrets",
  rationale:
    "Anything in an image is readable by whoever can pull it, forever; keys and passwords belong in Kubernetes Secrets.",
  severity: "error",
  fix: "Keep credentials out of the image folder and the Dockerfile; mount them from Secrets.",
  checks: [SECRET_FILE, SECRET_VALUE, DEPLOY_SECRET],
  check({ image }: GateContext): Finding[] {
    return [...secretFiles(image), ...secretValues(image), ...deploySecrets(image)];
  },
};

function secretFiles(image: CatalogImage): Finding[] {
  const findings: Finding[] = [];
  const copied = new Set<string>();
  for (const stage of image.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
      for (const source of copyOperands(instruction).sources) {
        const name = basename(source);
        if (!SECRET_FILE_NAME.test(name)) continue;
        copied.add(name);
        const message = `${instruction.keyword} copies ${source}, a file that holds keys or credentials`;
        findings.push(
          createFinding(SECRET_FILE, image, dockerfilePlace(image, instruction), message),
        );
      }
    }
  }
  for (const file of image.files ?? []) {
    const name = basename(file);
    if (!SECRET_FILE_NAME.test(name) || copied.has(name)) continue;
    const message = `${file} looks like a key or credentials file and sits in the image folder, the build context`;
    findings.push(createFinding(SECRET_FILE, image, { file: join(image.dir, file) }, message));
  }
  return findings;
}

function secretValues(image: CatalogImage): Finding[] {
  const findings: Finding[] = [];
  for (const stage of image.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "ENV" && instruction.keyword !== "ARG") continue;
      for (const { name, value } of assignments(instruction)) {
        if (!isSecretName(name) || value === undefined || !isLiteral(value)) continue;
        const message = `${instruction.keyword} ${name} holds a literal value, which every layer and the image history keep`;
        findings.push(
          createFinding(SECRET_VALUE, image, dockerfilePlace(image, instruction), message),
        );
      }
    }
  }
  return findings;
}

function deploySecrets(image: CatalogImage): Finding[] {
  return (image.deploy?.env ?? []).flatMap((variable, index) => {
    if (
      !isSecretName(variable.name) ||
      variable.value === undefined ||
      !isLiteral(variable.value)
    ) {
      return [];
    }
    const place = yamlPlace(image, ["deploy", "env", index, "value"]);
    const message = `deploy.env ${variable.name} is given as a literal value instead of from a Secret`;
    return [createFinding(DEPLOY_SECRET, image, place, message)];
  });
}

function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);
}

/** A value that is not empty and not only a reference to another variable. */
function isLiteral(value: string): boolean {
  return (
    value.trim() !== "" &&
    !/^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(value.trim())
  );
}
