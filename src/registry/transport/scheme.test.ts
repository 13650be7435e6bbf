import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopback, registryBaseUrl, registryScheme } from "./scheme.ts";

const cases: { registry: string; insecure: string[]; scheme: "http" | "https" }[] = [
  { registry: "localhost:5000", insecure: [], scheme: "http" },
  { registry: "127.0.0.1:5001", insecure: [], scheme: "http" },
  { registry: "127.10.0.3", insecure: [], scheme: "http" },
  { registry: "[::1]:5000", insecure: [], scheme: "http" },
  { registry: "registry.example", insecure: [], scheme: "https" },
  { registry: "127.example.com", insecure: [], scheme: "https" },
  { registry: "registry.lan:5000", insecure: ["registry.lan:5000"], scheme: "http" },
  { registry: "registry.lan:5000", insecure: ["registry.lan"], scheme: "http" },
  { registry: "registry.lan:5000", insecure: ["registry.lan:6000"], scheme: "https" },
];

for (const { registry, insecure, scheme } of cases) {
  test(`uses ${scheme} for ${registry} with insecure list [${insecure.join(",")}]`, () => {
    assert.equal(registryScheme(registry, insecure), scheme);
  });
}

test("treats only loopback addresses as loopback", () => {
  assert.equal(isLoopback("128.0.0.1"), false);
  assert.equal(isLoopback("LOCALHOST"), true);
});

test("reaches Docker Hub's API on its registry host", () => {
  assert.equal(registryBaseUrl("docker.io", []).toString(), "https://registry-1.docker.io/v2/");
});
