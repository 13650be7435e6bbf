// biome-ignore-all lint/suspicious/noTemplateCurlyInString: build-argument syntax on purpose.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expandArgs } from "./expand.ts";

const args = { SET: "v", EMPTY: "", UNSET: undefined };

const rows: { text: string; value: string; unresolved: string[] }[] = [
  { text: "$SET-${SET}", value: "v-v", unresolved: [] },
  { text: "${UNSET:-d} ${EMPTY:-d} ${SET:-d}", value: "d d v", unresolved: [] },
  { text: "${UNSET-d} ${EMPTY-d}", value: "d ", unresolved: [] },
  { text: "${UNSET:+a}|${EMPTY:+a}|${SET:+a}", value: "||a", unresolved: [] },
  { text: "${UNSET+a}|${EMPTY+a}", value: "|a", unresolved: [] },
  { text: "${UNSET}:$NOPE:${UNSET}", value: "::", unresolved: ["UNSET", "NOPE"] },
  { text: "${UNSET:-$NOPE}", value: "", unresolved: ["NOPE"] },
  { text: "${SET:-$NOPE}", value: "v", unresolved: [] },
  { text: "\\$SET", value: "$SET", unresolved: [] },
];

describe("expandArgs", () => {
  for (const row of rows) {
    it(`expands ${row.text}`, () => {
      assert.deepEqual(expandArgs(row.text, args), {
        value: row.value,
        unresolved: row.unresolved,
      });
    });
  }

  it("keeps a dollar literal with the backtick escape", () => {
    assert.equal(expandArgs("`$SET", args, "`").value, "$SET");
  });
});
