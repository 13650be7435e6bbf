import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { loadCatalog } from "../catalog/load.ts";
import { toBakeFile } from "./bake.ts";
import { planBuild } from "./plan.ts";
import { formatSecret, machineCaSecret, parseSecret, parseSecrets } from "./secrets.ts";

const dir = mkdtempSync(join(tmpdir(), "solera-secrets-"));
const bundle = join(dir, "ca.crt");
const secretValue = "-----BEGIN CERTIFICATE-----solera-secret-value";
writeFileSync(bundle, secretValue);
const env = { CA_TOKEN: "s3cret", EMPTY: "" };

describe("parseSecret", () => {
  const accepted: [string, ReturnType<typeof parseSecret>][] = [
    [`id=ca,src=${bundle}`, { id: "ca", src: bundle }],
    [`id=ca,source=${bundle}`, { id: "ca", src: bundle }],
    [`type=file,id=ca,src=${bundle}`, { id: "ca", src: bundle }],
    [`src=${bundle}`, { id: "ca.crt", src: bundle }],
    ["id=token,env=CA_TOKEN", { id: "token", env: "CA_TOKEN" }],
    ["type=env,id=token,src=CA_TOKEN", { id: "token", env: "CA_TOKEN" }],
    ["env=CA_TOKEN", { id: "CA_TOKEN", env: "CA_TOKEN" }],
    ["id=CA_TOKEN", { id: "CA_TOKEN", env: "CA_TOKEN" }],
    ["id=empty,env=EMPTY", { id: "empty", env: "EMPTY" }],
  ];
  for (const [text, expected] of accepted) {
    it(`reads ${text.replace(dir, "<dir>")}`, () => {
      assert.deepEqual(parseSecret(text, env), expected);
    });
  }

  it("makes a relative src absolute", () => {
    const relative = join(
      "..",
      ...process
        .cwd()
        .split("/")
        .slice(1)
        .map(() => ".."),
      bundle,
    );
    assert.deepEqual(parseSecret(`id=ca,src=${relative}`, env), { id: "ca", src: bundle });
  });

  const hint =
    "use BuildKit's syntax: --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt or --secret id=token,env=TOKEN";
  const refused: [string, string][] = [
    [
      "id=ca,path=/etc/ca.crt",
      `--secret id=ca,path=/etc/ca.crt: unknown key "path" (BuildKit's keys are id, type, src, env)`,
    ],
    [
      `id=ca,src=${dir}/missing.crt`,
      `--secret id=ca,src=${dir}/missing.crt: the file ${dir}/missing.crt does not exist`,
    ],
    [`id=ca,src=${dir}`, `--secret id=ca,src=${dir}: ${dir} is not a file`],
    [
      "id=ca,env=NOT_SET_HERE",
      "--secret id=ca,env=NOT_SET_HERE: the environment variable NOT_SET_HERE is not set",
    ],
    ["id=ca,type=ssh", `--secret id=ca,type=ssh: type must be file or env, not "ssh"`],
    [
      `id=ca,src=${bundle},env=CA_TOKEN`,
      `--secret id=ca,src=${bundle},env=CA_TOKEN: give either src or env, not both`,
    ],
    ["id=,src=/x", "--secret id=,src=/x: id has no value"],
    ["id=a,id=b", "--secret id=a,id=b: id is given twice"],
    ["type=file", "--secret type=file: it names neither id, src nor env"],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${text.replace(dir, "<dir>")} with exit 2, naming the flag`, () => {
      assert.throws(() => parseSecret(text, env), { message, exitCode: 2 });
    });
  }

  it("hints at the syntax for a bad key, and at a readable file for a missing one", () => {
    assert.throws(() => parseSecret("id=ca,path=/x", env), { hint });
    assert.throws(() => parseSecret(`id=ca,src=${dir}/missing.crt`, env), {
      hint: "pass the path of a readable file; a CA bundle is often what NODE_EXTRA_CA_CERTS or SSL_CERT_FILE names",
    });
  });
});

describe("parseSecrets", () => {
  it("keeps the order and refuses an id given twice", () => {
    assert.deepEqual(parseSecrets(undefined, env), []);
    assert.deepEqual(parseSecrets([`id=ca,src=${bundle}`, "id=token,env=CA_TOKEN"], env), [
      { id: "ca", src: bundle },
      { id: "token", env: "CA_TOKEN" },
    ]);
    assert.throws(() => parseSecrets([`id=ca,src=${bundle}`, "id=ca,env=CA_TOKEN"], env), {
      message: '--secret: the id "ca" is given twice',
      exitCode: 2,
    });
  });

  it("formats a secret back in BuildKit's syntax", () => {
    assert.equal(formatSecret({ id: "ca", src: bundle }), `id=ca,src=${bundle}`);
    assert.equal(formatSecret({ id: "t", env: "CA_TOKEN" }), "id=t,env=CA_TOKEN");
  });
});

describe("secrets in the plan", async () => {
  const catalog = await loadCatalog(resolve(import.meta.dirname, "../../catalog"));
  const secrets = parseSecrets([`id=ca,src=${bundle}`, "id=token,env=CA_TOKEN"], env);
  const plan = planBuild(catalog, {
    names: ["fip-controller"],
    revision: "r",
    created: "c",
    secrets,
  });

  it("carries them on every target and in the bake file's secret list", () => {
    assert.deepEqual(plan.targets[0]?.secrets, secrets);
    assert.deepEqual(toBakeFile(plan, "/").target["fip-controller"]?.secret, [
      `id=ca,src=${bundle}`,
      "id=token,env=CA_TOKEN",
    ]);
  });

  it("never puts a secret's source or value in a label", () => {
    const labels = JSON.stringify(plan.targets[0]?.labels);
    for (const text of [bundle, secretValue, "CA_TOKEN", "s3cret"]) {
      assert.ok(!labels.includes(text), `a label holds ${text}`);
    }
  });
});

describe("machineCaSecret", () => {
  it("prefers NODE_EXTRA_CA_CERTS, falls back to SSL_CERT_FILE, and skips a missing file", () => {
    const missing = join(dir, "missing.crt");
    assert.equal(machineCaSecret({ NODE_EXTRA_CA_CERTS: bundle }), `id=ca,src=${bundle}`);
    assert.equal(
      machineCaSecret({ NODE_EXTRA_CA_CERTS: missing, SSL_CERT_FILE: bundle }),
      `id=ca,src=${bundle}`,
    );
    assert.equal(machineCaSecret({ NODE_EXTRA_CA_CERTS: missing }), undefined);
    assert.equal(machineCaSecret({}), undefined);
  });
});
