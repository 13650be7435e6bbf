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

/** Writes a config file and returns the environment that names it. */
function withFile(text: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "fip-config-"));
  writeFileSync(join(dir, "c.yaml"), text);
  return { ...base, FIP_CONTROLLER_CONFIG: join(dir, "c.yaml") };
}

test("file errors name the file, the key or line:column, and never quote the file", () => {
  const secret = "SECRETTOKEN_zz9_plural_z_alpha";
  const cases: [string, (path: string) => string][] = [
    [
      `floatingIps: [1.2.3.4]\nleaseDuraton: 30s\n`,
      (p) =>
        `FIP_CONTROLLER_CONFIG: ${p}: unknown key leaseDuraton; accepted keys: tokenFile, hcloudEndpoint, floatingIps, floatingIpSelector, nodeSelector, leaseName, leaseNamespace, identity, leaseDuration, renewDeadline, retryPeriod, resyncPeriod, actionTimeout, healthPort, logLevel`,
    ],
    [
      `token: ${secret}\n`,
      (p) =>
        `FIP_CONTROLLER_CONFIG: ${p}: key token refused: a secret does not belong in a config file; set HCLOUD_TOKEN or HCLOUD_TOKEN_FILE`,
    ],
    [
      `tokenFile: "${secret}\nfloatingIps: [1.2.3.4]\n`,
      (p) => `FIP_CONTROLLER_CONFIG: ${p}:3:1: Missing closing "quote`,
    ],
    [
      `a: ${secret}: b\n`,
      (p) => `FIP_CONTROLLER_CONFIG: ${p}:1:4: Nested mappings are not allowed in compact mappings`,
    ],
    [
      "renewDeadline: 20s\n",
      (p) =>
        `renewDeadline (in ${p}): must be shorter than LEASE_DURATION, so the leader stops work before its lease can expire`,
    ],
    [
      "leaseDuration: 1s\nrenewDeadline: 2s\n",
      (p) =>
        `renewDeadline (in ${p}): must be shorter than leaseDuration (in ${p}), so the leader stops work before its lease can expire`,
    ],
    [
      "resyncPeriod: 3000000\n",
      (p) => `resyncPeriod (in ${p}): expected a duration of at most 24 hours (86400s)`,
    ],
  ];
  for (const [text, message] of cases) {
    const env = withFile(text);
    assert.throws(
      () => loadConfig(env),
      (error: Error) => {
        assert.equal(error.name, "ConfigError");
        assert.equal(error.message, message(env.FIP_CONTROLLER_CONFIG as string));
        assert.ok(!error.message.includes(secret));
        return true;
      },
    );
  }
});

test("floating IP entries are addresses, /64 networks, ids or names, and durations at most a day", () => {
  const good = "198.51.100.7,2001:db8::1,2001:db8:ff00::/64,42,fip-web_1.a";
  assert.equal(loadConfig({ ...base, FLOATING_IPS: good }).floatingIps.length, 5);
  const bad: [Record<string, string>, string][] = [
    [
      { FLOATING_IPS: "1.2.3.999" },
      'FLOATING_IPS: "1.2.3.999" is not an IPv4 address, an IPv6 address or /64 network, an id or a name',
    ],
    [
      { FLOATING_IPS: "1.2.3" },
      'FLOATING_IPS: "1.2.3" is not an IPv4 address, an IPv6 address or /64 network, an id or a name',
    ],
    [
      { FLOATING_IPS: "2001:db8::/48" },
      'FLOATING_IPS: "2001:db8::/48" is not an IPv4 address, an IPv6 address or /64 network, an id or a name',
    ],
    [
      { FLOATING_IPS: "2001:db8::1%eth0" },
      'FLOATING_IPS: "2001:db8::1%eth0" is not an IPv4 address, an IPv6 address or /64 network, an id or a name',
    ],
    [
      { FLOATING_IPS: "my ip" },
      'FLOATING_IPS: "my ip" is not an IPv4 address, an IPv6 address or /64 network, an id or a name',
    ],
    [
      { RESYNC_PERIOD: "3000000" },
      "RESYNC_PERIOD: expected a duration of at most 24 hours (86400s)",
    ],
    [{ ACTION_TIMEOUT: "0s" }, "ACTION_TIMEOUT: expected a duration above zero"],
    [
      { NODE_SELECTOR: "a=b=c" },
      'NODE_SELECTOR: cannot read requirement "a=b=c": "b=c" is not a label value',
    ],
  ];
  for (const [env, message] of bad)
    assert.throws(() => loadConfig({ ...base, ...env }), { name: "ConfigError", message });
});
