import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import {
  agentConfigMapPath,
  agentScriptPath,
  renderAgentConfigMap,
} from "../../scripts/render-agent-configmap.ts";
import { isCI } from "../../test/environment.ts";

// The DaemonSet's shape and its copy of the script, read from the committed manifests.

const deployDir = fileURLToPath(new URL("../../deploy/fip-alias-agent/", import.meta.url));
const script = readFileSync(agentScriptPath, "utf8");

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is checked field by field below
  spec?: any;
}

function manifests(file: string): Manifest[] {
  const text = readFileSync(`${deployDir}${file}`, "utf8");
  return parseAllDocuments(text).map((document) => document.toJS() as Manifest);
}

test("the committed script ConfigMap is the rendering of the current script", () => {
  const committed = readFileSync(agentConfigMapPath, "utf8");

  assert.equal(
    committed,
    renderAgentConfigMap(script),
    "deploy/fip-alias-agent/script-configmap.yaml is stale: run `npm run render:agent`",
  );
  const [configMap] = manifests("script-configmap.yaml");
  assert.equal(configMap?.data?.["fip-alias-agent.sh"], script);
});

test("the renderer refuses a script it could not carry unchanged", () => {
  assert.throws(() => renderAgentConfigMap("#!/bin/sh\necho no final newline"), /must end with/);
});

test("the script parses as POSIX sh under dash", () => {
  const result = spawnSync("dash", ["-n", agentScriptPath], { encoding: "utf8" });
  assert.equal(result.error, undefined, "dash is needed to check the script");
  assert.deepEqual({ status: result.status, stderr: result.stderr }, { status: 0, stderr: "" });
});

test("the script passes shellcheck as sh", (t) => {
  const result = spawnSync("shellcheck", ["-s", "sh", agentScriptPath], { encoding: "utf8" });
  if (result.error !== undefined) {
    if (isCI()) assert.fail("CI=true requires shellcheck (apt-get install shellcheck)");
    t.skip("shellcheck is not installed (apt-get install shellcheck)");
    return;
  }
  assert.equal(result.stdout, "");
  assert.equal(result.status, 0);
});

test("the DaemonSet runs the mounted script with NET_ADMIN only, on the host network", () => {
  const [daemonSet] = manifests("daemonset.yaml");
  assert.equal(daemonSet?.kind, "DaemonSet");
  const pod = daemonSet.spec.template.spec;
  const [container] = pod.containers;

  assert.equal(pod.hostNetwork, true);
  assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
  assert.equal(container.image, "reg.librecloud.online/solera/fip-alias-agent:0.1.0");
  assert.deepEqual(container.command, ["sh", "/opt/fip/fip-alias-agent.sh"]);
  assert.equal(container.securityContext.privileged, false);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"], add: ["NET_ADMIN"] });
  assert.ok(container.resources.limits.memory, "a memory limit");
  assert.ok(container.resources.limits.cpu, "a CPU limit");
});

test("the DaemonSet runs at node-critical priority, probing the heartbeat through the script", () => {
  const pod = manifests("daemonset.yaml")[0]?.spec.template.spec;
  const probe = pod.containers[0].livenessProbe;

  assert.equal(pod.priorityClassName, "system-node-critical");
  assert.deepEqual(probe.exec.command, ["sh", "/opt/fip/fip-alias-agent.sh", "--alive"]);
  // --alive allows 2 intervals + 60 s; the probe must not give up on a slower schedule.
  assert.ok(probe.periodSeconds * probe.failureThreshold >= 60, "the probe tolerates a slow pass");
});

test("the DaemonSet mounts the script and the list from the ConfigMaps of its folder", () => {
  const pod = manifests("daemonset.yaml")[0]?.spec.template.spec;
  const mounts = Object.fromEntries(
    pod.containers[0].volumeMounts.map((mount: { name: string; mountPath: string }) => [
      mount.name,
      mount.mountPath,
    ]),
  );
  const sources = Object.fromEntries(
    pod.volumes.map((volume: { name: string; configMap?: { name: string }; emptyDir?: object }) => [
      volume.name,
      volume.configMap?.name ?? (volume.emptyDir ? "emptyDir" : "?"),
    ]),
  );
  const env = Object.fromEntries(
    pod.containers[0].env.map((entry: { name: string; value: string }) => [
      entry.name,
      entry.value,
    ]),
  );
  const [scriptMap] = manifests("script-configmap.yaml");
  const [ipsMap] = manifests("ips-configmap.yaml");

  assert.deepEqual(mounts, { script: "/opt/fip", ips: "/etc/fip", run: "/run/fip" });
  assert.deepEqual(sources, {
    script: scriptMap?.metadata.name,
    ips: ipsMap?.metadata.name,
    run: "emptyDir",
  });
  assert.ok(scriptMap?.data?.["fip-alias-agent.sh"], "the script is the key the command runs");
  assert.equal(env.FIP_LIST_FILE, "/etc/fip/ips");
  assert.match(
    env.FIP_HEARTBEAT_FILE ?? "",
    /^\/run\/fip\/[^/]+$/,
    "the heartbeat goes to the tmpfs",
  );
  // Shipped empty: the agents bind nothing until the cluster's floating IPs are listed.
  assert.doesNotMatch(ipsMap?.data?.ips ?? "", /^\s*[0-9a-f]/im);
});
