import assert from "node:assert/strict";
import { test } from "node:test";
import { RegistryError } from "./errors.ts";
import { redactText, redactUrl, registerSecret } from "./redact.ts";

test("removes user info and credential query values from URLs", () => {
  const url =
    "https://user:hunter22@registry.example/v2/a/blobs/uploads/x?_state=abc&digest=sha256:1&access_token=tok";
  const redacted = redactUrl(url);
  assert.equal(
    redacted,
    "https://registry.example/v2/a/blobs/uploads/x?_state=***&digest=sha256%3A1&access_token=***",
  );
});

test("replaces registered secrets in any text", () => {
  registerSecret("s3cr3t-password");
  assert.equal(redactText("login with s3cr3t-password failed"), "login with *** failed");
});

test("does not register secrets too short to redact safely", () => {
  registerSecret("ab");
  assert.equal(redactText("about abc"), "about abc");
});

test("keeps registered secrets out of a RegistryError's message, stack and URL", () => {
  registerSecret("tok-9f8e7d6c5b4a");
  const error = new RegistryError("token tok-9f8e7d6c5b4a was refused", {
    url: "http://127.0.0.1:5000/v2/?token=tok-9f8e7d6c5b4a",
    hint: "do not reuse tok-9f8e7d6c5b4a",
  });
  for (const text of [String(error), error.stack ?? "", error.url ?? "", error.hint ?? ""]) {
    assert.ok(!text.includes("tok-9f8e7d6c5b4a"), text);
  }
  assert.equal(error.message, "token *** was refused");
});
