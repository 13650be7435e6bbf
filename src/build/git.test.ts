import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readCreated, readGitFacts, readRevision, readSourceUrl } from "./git.ts";

function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "solera-git-"));
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { stdio: "ignore" });
  git("init", "-q");
  writeFileSync(join(dir, "a.txt"), "a\n");
  git("add", "a.txt");
  git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "first");
  git("remote", "add", "origin", "https://user:token@example.org/solera.git");
  return dir;
}

describe("readGitFacts", () => {
  const dir = gitRepo();
  const env = {};

  it("reads what readRevision, readCreated and readSourceUrl read, without the credentials", async () => {
    const facts = await readGitFacts(dir, env);
    assert.deepEqual(facts, {
      revision: readRevision(dir),
      created: readCreated(dir, env),
      source: readSourceUrl(dir),
    });
    assert.match(facts.revision ?? "", /^[0-9a-f]{40}$/);
    assert.equal(facts.source, "https://example.org/solera.git");
  });

  it("marks a working tree with changes -dirty and takes created from SOURCE_DATE_EPOCH", async () => {
    writeFileSync(join(dir, "a.txt"), "changed\n");
    const facts = await readGitFacts(dir, { SOURCE_DATE_EPOCH: "1764720000" });
    assert.equal(facts.revision, readRevision(dir));
    assert.match(facts.revision ?? "", /^[0-9a-f]{40}-dirty$/);
    assert.equal(facts.created, "2025-12-03T00:00:00.000Z");
  });

  it("leaves revision and source out outside a git checkout", async () => {
    const facts = await readGitFacts(mkdtempSync(join(tmpdir(), "solera-nogit-")), env);
    assert.equal(facts.revision, undefined);
    assert.equal(facts.source, undefined);
  });
});
