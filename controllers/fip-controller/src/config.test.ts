import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "./config.ts";

const base = {
  HCLOUD_TOKEN: "tok-123456",
  FLOATING_IPS: "198.51.100.7, fip-2 ,42",
  POD_NAMESPACE: "kube-system",
};

test("reads the environment with defaults 15/10/2 s", () => {
  const config = loadConfig(base);
  assert.deepEqual(config.floatingIps, ["198.51.100.7", "fip-2", "42"]);
  assert.equal(config.leaseDurationMs, 15_000);
  assert.equal(config.renewDeadlineMs, 10_000);
  assert.equal(config.retryPeriodMs, 2_000);
  assert.equal(config.leaseNamespace, "kube-system");
  assert.equal(config.hcloudEndpoint, "https://api.hetzner.cloud/v1");
});

test("reads a file, and the environment wins over it", () => {
  const dir = mkdtempSync(join(tmpdir(), "fip-config-"));
  writeFileSync(join(dir, "token"), "from-file-token\n");
  writeFileSync(
    join(dir, "c.yaml"),
    "floatingIps: [1, 2]\nleaseDuration: 20s\nretryPeriod: 500ms\nhealthPort: 9000\n",
  );
  const config = loadConfig({
    HCLOUD_TOKEN_FILE: join(dir, "token"),
    FIP_CONTROLLER_CONFIG: join(dir, "c.yaml"),
    HEALTH_PORT: "9100",
  });
  assert.equal(config.token, "from-file-token");
  assert.deepEqual(config.floatingIps, ["1", "2"]);
  assert.equal(config.leaseDurationMs, 20_000);
  assert.equal(config.retryPeriodMs, 500);
  assert.equal(config.healthPort, 9100);
});

test("names the variable in every configuration error", () => {
  const cases: [Record<string, string>, string][] = [
    [
      { FLOATING_IPS: "1" },
      "HCLOUD_TOKEN: set HCLOUD_TOKEN or HCLOUD_TOKEN_FILE (a mounted secret)",
    ],
    [
      { HCLOUD_TOKEN: "t" },
      "FLOATING_IPS: list the floating IPs (addresses, names or ids) or set FLOATING_IP_SELECTOR",
    ],
    [
      { ...base, LEASE_DURATION: "soon" },
      "LEASE_DURATION: expected a duration such as 15, 15s or 500ms",
    ],
    [
      { ...base, RETRY_PERIOD: "10s" },
      "RETRY_PERIOD: must be shorter than RENEW_DEADLINE, so a renewal can be retried before the deadline",
    ],
    [{ ...base, HEALTH_PORT: "70000" }, "HEALTH_PORT: Too big: expected number to be <=65535"],
    [
      { ...base, NODE_SELECTOR: "a in (b)" },
      'NODE_SELECTOR: set-based requirement "a in (b)" is not supported; use key=value',
    ],
    [
      { ...base, HCLOUD_TOKEN: "", HCLOUD_TOKEN_FILE: "/nonexistent/token" },
      "HCLOUD_TOKEN_FILE: cannot read /nonexistent/token",
    ],
  ];
  for (const [env, message] of cases)
    assert.throws(() => loadConfig(env), { name: "ConfigError", message });
});
