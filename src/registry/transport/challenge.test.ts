import assert from "node:assert/strict";
import { test } from "node:test";
import { type Challenge, parseChallenges } from "./challenge.ts";

const cases: { name: string; header: string | null; expected: Challenge[] }[] = [
  { name: "no header gives no challenge", header: null, expected: [] },
  {
    name: "reads a Basic realm",
    header: 'Basic realm="solera-test"',
    expected: [{ scheme: "basic", parameters: { realm: "solera-test" } }],
  },
  {
    name: "keeps commas inside a quoted scope",
    header:
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
    expected: [
      {
        scheme: "bearer",
        parameters: {
          realm: "https://auth.example/token",
          service: "registry.example",
          scope: "repository:a/b:pull,push",
        },
      },
    ],
  },
  {
    name: "reads the error parameter of an insufficient scope",
    header: 'Bearer realm="r", error="insufficient_scope", scope="repository:x:pull"',
    expected: [
      {
        scheme: "bearer",
        parameters: { realm: "r", error: "insufficient_scope", scope: "repository:x:pull" },
      },
    ],
  },
  {
    name: "separates two challenges in one header and lower-cases names",
    header: 'Basic Realm=plain, Bearer realm="r",Service="s"',
    expected: [
      { scheme: "basic", parameters: { realm: "plain" } },
      { scheme: "bearer", parameters: { realm: "r", service: "s" } },
    ],
  },
  {
    name: "unescapes quoted pairs",
    header: 'Bearer realm="a\\"b"',
    expected: [{ scheme: "bearer", parameters: { realm: 'a"b' } }],
  },
];

for (const { name, header, expected } of cases) {
  test(name, () => {
    assert.deepEqual(parseChallenges(header), expected);
  });
}
