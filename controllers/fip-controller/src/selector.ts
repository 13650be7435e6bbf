/** One requirement of an equality-based label selector. */
export interface Requirement {
  key: string;
  op: "=" | "!=" | "exists" | "!exists";
  value?: string;
}

/** A parsed label selector: every requirement must hold. Empty matches everything. */
export type Selector = Requirement[];

const labelKey = /^([a-z0-9A-Z.-]+\/)?[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
// A label value: empty, or up to 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends.
const labelValue = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Parses `a=b,c!=d,e,!f` (Kubernetes' equality-based selector syntax; `==` is `=`).
 * Set-based forms (`in`, `notin`) are refused rather than misread.
 */
export function parseSelector(text: string): Selector {
  const result: Selector = [];
  const setBased = /[^,]*\s(in|notin)\s*\([^)]*\)/.exec(text);
  if (setBased)
    throw new Error(
      `set-based requirement "${setBased[0].trim()}" is not supported; use key=value`,
    );
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") continue;
    const m = /^(!?)([^=!]+?)(?:\s*(==|=|!=)\s*(.*))?$/.exec(part);
    const key = m?.[2]?.trim() ?? "";
    if (!m || !labelKey.test(key) || (m[1] && m[3])) {
      throw new Error(`cannot read requirement "${part}"`);
    }
    if (m[3] === undefined) {
      result.push({ key, op: m[1] ? "!exists" : "exists" });
      continue;
    }
    const value = m[4] ?? "";
    if (!labelValue.test(value))
      throw new Error(`cannot read requirement "${part}": "${value}" is not a label value`);
    result.push({ key, op: m[3] === "!=" ? "!=" : "=", value });
  }
  return result;
}

/** Whether labels satisfy every requirement of the selector. */
export function matchesSelector(selector: Selector, labels: Record<string, string>): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    if (r.op === "exists") return has;
    if (r.op === "!exists") return !has;
    if (r.op === "=") return has && labels[r.key] === r.value;
    return !has || labels[r.key] !== r.value;
  });
}
