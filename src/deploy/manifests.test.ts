import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
// The controller's own configuration loader: a test-only reach across packages, so the shipped
// Deployment is checked by the code that will read it.
import { loadConfig } from "../../controllers/fip-controller/src/config.ts";
import { isCI } from "../../test/environment.ts";

// The shipped deploy folders as one cluster would receive them: each is applied with
// `kubectl apply -k`, its kustomization sets the namespace, and the objects must fit together
// (names, keys, ports, the Lease the Role allows) or the pods crash-loop after a clean apply.

const deployDir = fileURLToPath(new URL("../../deploy/", import.meta.url));

type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below
  [key: string]: any;
};

/** The kinds that live in no namespace. */
const CLUSTER_KINDS = new Set(["ClusterRole", "ClusterRoleBinding", "Namespace"]);

/** Every document of every YAML file below `folder`, keyed by its path relative to it. */
function readFolder(folder: string): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  for (const file of readdirSync(folder, { recursive: true, encoding: "utf8" }).sort()) {
    if (!/\.ya?ml$/.test(file) || file === "kustomization.yaml") continue;
    const text = readFileSync(join(folder, file), "utf8");
    files.set(
      file,
      parseAllDocuments(text).map((document) => document.toJS() as Manifest),
    );
  }
  return files;
}

/** The kustomization of a folder, and the objects of the files it lists. */
function applied(folder: string): { namespace: string; objects: Manifest[] } {
  const kustomization = parse(readFileSync(join(folder, "kustomization.yaml"), "utf8"));
  const files = readFolder(folder);
  const objects = (kustomization.resources as string[]).flatMap((file) => files.get(file) ?? []);
  return { namespace: kustomization.namespace, objects };
}

const folders = readdirSync(deployDir).filter((name) =>
  existsSync(join(deployDir, name, "kustomization.yaml")),
);

test("every deploy folder of the floating-IP pair is a kustomization", () => {
  assert.deepEqual(folders.sort(), ["fip-alias-agent", "fip-controller"]);
});

for (const name of folders) {
  const folder = join(deployDir, name);

  test(`${name}: the kustomization applies every manifest but the examples, and sets the namespace`, () => {
    const kustomization = parse(readFileSync(join(folder, "kustomization.yaml"), "utf8"));
    const files = [...readFolder(folder).keys()];

    assert.match(kustomization.namespace, /^[a-z0-9-]+$/);
    assert.deepEqual(
      [...kustomization.resources].sort(),
      files.filter((file) => !file.startsWith("examples/")),
    );
  });

  test(`${name}: no manifest names a namespace, so the kustomization's holds everywhere`, () => {
    for (const [file, documents] of readFolder(folder)) {
      for (const manifest of documents) {
        const where = `${file}: ${manifest.kind} ${manifest.metadata.name}`;
        assert.equal(manifest.metadata.namespace, undefined, where);
        for (const subject of manifest.subjects ?? []) {
          assert.equal(subject.namespace, undefined, `${where}: subject ${subject.name}`);
        }
      }
    }
  });
}

const controller = applied(join(deployDir, "fip-controller"));

/** The one object of a kind (and name, when given) the controller's folder applies. */
function one(kind: string, name?: string): Manifest {
  const found = controller.objects.filter(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  );
  assert.equal(found.length, 1, `one ${kind}${name ? ` ${name}` : ""}`);
  return found[0] as Manifest;
}

const deployment = one("Deployment");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const env = new Map<string, { value?: string; valueFrom?: Manifest }>(
  container.env.map((entry: { name: string }) => [entry.name, entry]),
);

test("fip-controller: both bindings grant to the ServiceAccount the Deployment runs as", () => {
  const account = one("ServiceAccount", pod.serviceAccountName);

  for (const kind of ["RoleBinding", "ClusterRoleBinding"]) {
    const binding = one(kind);
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: account.metadata.name }]);
    one(binding.roleRef.kind, binding.roleRef.name);
  }
});

test("fip-controller: the Role's Lease names hold the Deployment's LEASE_NAME", () => {
  const role = one("Role");
  const leaseRules = role.rules.filter((rule: { resources: string[] }) =>
    rule.resources.includes("leases"),
  );
  const named = leaseRules.filter((rule: { resourceNames?: string[] }) => rule.resourceNames);

  assert.ok(env.get("LEASE_NAME")?.value, "the Deployment sets LEASE_NAME");
  assert.deepEqual(
    named.map((rule: { resourceNames: string[] }) => rule.resourceNames),
    [[env.get("LEASE_NAME")?.value]],
  );
  assert.deepEqual(named[0].verbs.sort(), ["get", "update"]);
});

test("fip-controller: the token's Secret is an example, never applied, with the key the Deployment reads", () => {
  const reference = env.get("HCLOUD_TOKEN")?.valueFrom?.secretKeyRef;
  const example = readFolder(join(deployDir, "fip-controller")).get("examples/secret.yaml")?.[0];

  assert.equal(controller.objects.filter((object) => object.kind === "Secret").length, 0);
  assert.equal(example?.kind, "Secret");
  assert.equal(example?.metadata.name, reference.name);
  assert.ok(reference.key in { ...example?.data, ...example?.stringData }, "the key exists");
});

test("fip-controller: the probes and the Service reach the port the controller listens on", () => {
  const ports = container.ports as { name: string; containerPort: number }[];
  const resolve = (port: string | number) =>
    typeof port === "number" ? port : ports.find((entry) => entry.name === port)?.containerPort;
  const listens = Number(env.get("HEALTH_PORT")?.value ?? 8080);

  assert.equal(resolve(container.livenessProbe.httpGet.port), listens);
  assert.equal(resolve(container.readinessProbe.httpGet.port), listens);
  assert.equal(resolve(one("Service").spec.ports[0].targetPort), listens);
});

test("fip-controller: the shipped environment passes the controller's own configuration check", () => {
  const example = readFolder(join(deployDir, "fip-controller")).get("examples/secret.yaml")?.[0];
  const values: Record<string, string> = {};
  for (const [name, entry] of env) {
    const from = entry.valueFrom;
    if (entry.value !== undefined) values[name] = entry.value;
    else if (from?.secretKeyRef) values[name] = example?.stringData[from.secretKeyRef.key];
    else if (from?.fieldRef?.fieldPath === "metadata.namespace")
      values[name] = controller.namespace;
    else if (from?.fieldRef?.fieldPath === "metadata.name") values[name] = "fip-controller-x";
  }

  // A crash-looping fresh apply is what this guards against: loadConfig is what main() runs.
  const config = loadConfig(values);

  assert.equal(config.floatingIpSelector, "solera.io/fip=true");
  assert.deepEqual(config.floatingIps, []);
  assert.equal(config.leaseName, env.get("LEASE_NAME")?.value);
  assert.equal(config.leaseNamespace, controller.namespace);
});

test("fip-controller: the PodDisruptionBudget keeps one of the replicas up", () => {
  const budget = one("PodDisruptionBudget");

  assert.deepEqual(budget.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
  assert.equal(budget.spec.minAvailable, 1);
  assert.ok(deployment.spec.replicas > budget.spec.minAvailable, "a drain can evict one");
});

test("kubectl kustomize puts every object and ServiceAccount subject in a changed namespace", (t) => {
  const probe = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    if (isCI()) assert.fail("CI=true requires kubectl, to render the kustomizations");
    t.skip("kubectl is not installed");
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), "solera-kustomize-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const name of folders) {
    const copy = join(scratch, name);
    cpSync(join(deployDir, name), copy, { recursive: true });
    const file = join(copy, "kustomization.yaml");
    const text = readFileSync(file, "utf8").replace(/^namespace: .*$/m, "namespace: fip-test");
    writeFileSync(file, text);
    const rendered = spawnSync("kubectl", ["kustomize", copy], { encoding: "utf8" });
    assert.equal(rendered.stderr, "");
    for (const object of parseAllDocuments(rendered.stdout).map((d) => d.toJS() as Manifest)) {
      const expected = CLUSTER_KINDS.has(object.kind) ? undefined : "fip-test";
      assert.equal(object.metadata.namespace, expected, `${object.kind} ${object.metadata.name}`);
      for (const subject of object.subjects ?? []) assert.equal(subject.namespace, "fip-test");
    }
  }
});
