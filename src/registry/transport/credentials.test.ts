import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, test } from "node:test";
import { DockerConfigCredentials, dockerConfigPath } from "./credentials.ts";

// A real credential helper speaks over stdin/stdout; this one is a shell script on PATH that
// records what it was asked and answers like docker-credential-helpers do.
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
printf '%s\\n' "$server" >> "$(dirname "$0")/asked"
case "$server" in
  helped.example) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret-1"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-identity-1"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

let folder = "";
let originalPath = "";

before(async () => {
  folder = await mkdtemp(join(tmpdir(), "solera-credentials-"));
  await writeFile(join(folder, "docker-credential-test"), HELPER);
  await chmod(join(folder, "docker-credential-test"), 0o755);
  originalPath = process.env.PATH ?? "";
  process.env.PATH = `${folder}${delimiter}${originalPath}`;
});

after(async () => {
  process.env.PATH = originalPath;
  await rm(folder, { recursive: true, force: true });
});

async function writeConfig(name: string, config: object): Promise<string> {
  const path = join(folder, `${name}.json`);
  await writeFile(path, JSON.stringify(config));
  return path;
}

test("reads base64 user:password from auths, keyed by host or URL", async () => {
  const auth = Buffer.from("solera:pa:ss").toString("base64");
  const path = await writeConfig("auths", {
    auths: {
      "https://registry.example/v1/": { auth },
      "other.example:5000": { identitytoken: "idt-1" },
    },
  });
  const store = new DockerConfigCredentials(path);
  assert.deepEqual(await store.get("registry.example"), { username: "solera", password: "pa:ss" });
  assert.deepEqual(await store.get("other.example:5000"), { identityToken: "idt-1" });
  assert.equal(await store.get("unknown.example"), undefined);
});

test("asks the host's credential helper with the server URL on stdin", async () => {
  const path = await writeConfig("helpers", { credHelpers: { "helped.example": "test" } });
  const store = new DockerConfigCredentials(path);
  assert.deepEqual(await store.get("helped.example"), {
    username: "helper-user",
    password: "helper-secret-1",
  });
  assert.match(await readFile(join(folder, "asked"), "utf8"), /^helped\.example$/m);
});

test("asks the credsStore for Docker Hub under its legacy key and reads identity tokens", async () => {
  const path = await writeConfig("store", { credsStore: "test" });
  const store = new DockerConfigCredentials(path);
  assert.deepEqual(await store.get("docker.io"), { identityToken: "hub-identity-1" });
  assert.match(
    await readFile(join(folder, "asked"), "utf8"),
    /^https:\/\/index\.docker\.io\/v1\/$/m,
  );
});

test("falls back from the credsStore to auths when the store has nothing", async () => {
  const auth = Buffer.from("u:p-fallback").toString("base64");
  const path = await writeConfig("fallback", {
    credsStore: "test",
    auths: { "plain.example": { auth } },
  });
  const store = new DockerConfigCredentials(path);
  assert.deepEqual(await store.get("plain.example"), { username: "u", password: "p-fallback" });
});

test("says which credential helper is missing", async () => {
  const path = await writeConfig("missing", { credHelpers: { "x.example": "absent" } });
  const store = new DockerConfigCredentials(path);
  await assert.rejects(store.get("x.example"), {
    message: "cannot run the credential helper docker-credential-absent",
  });
});

test("treats a missing config file as anonymous", async () => {
  const store = new DockerConfigCredentials(join(folder, "nope", "config.json"));
  assert.equal(await store.get("registry.example"), undefined);
});

test("finds the config through DOCKER_CONFIG", () => {
  assert.equal(dockerConfigPath({ DOCKER_CONFIG: "/etc/dc" }), "/etc/dc/config.json");
});
