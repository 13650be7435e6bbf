import { existsSync } from "node:fs";
import type http from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { Controller } from "./controller.ts";
import { HcloudClient } from "./hcloud/client.ts";
import { KubeHttp, WatchStatusError } from "./kube/http.ts";
import { LeaderElector } from "./kube/lease.ts";
import { NodeAccessError, NodeInformer } from "./kube/nodes.ts";
import { createLog, type Log } from "./log.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { startHealthServer } from "./server.ts";

const version = "0.1.0";

/** A problem found while starting, with the exit code: 2 configuration, 3 environment. */
class StartupError extends Error {
  override name = "StartupError";
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * Loads the Kubernetes client configuration (in-cluster, or KUBECONFIG). Only the error code is
 * kept: a kubeconfig parse error quotes the file, and the file may hold a token.
 */
function connectKube(): KubeHttp {
  const home = process.env.HOME ? `${process.env.HOME}/.kube/config` : "";
  if (!process.env.KUBERNETES_SERVICE_HOST && !process.env.KUBECONFIG && !existsSync(home))
    throw new StartupError(
      "configuration error: no Kubernetes API to talk to: not in a pod, KUBECONFIG unset and no ~/.kube/config",
      2,
    );
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return new KubeHttp(kubeConfig);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const source = process.env.KUBECONFIG ? `KUBECONFIG ${process.env.KUBECONFIG}` : "kubeconfig";
    throw new StartupError(
      `configuration error: cannot load the ${source}${code ? ` (${code})` : ""}; in a pod, mount the service account token`,
      2,
    );
  }
}

/** Starts the health server, naming HEALTH_PORT when the port is taken. */
async function listen(
  config: Config,
  healthy: () => boolean,
  ready: () => boolean,
  metrics: Metrics,
): Promise<http.Server> {
  try {
    return await startHealthServer(config.healthPort, { healthy, ready }, metrics);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new StartupError(`cannot listen on HEALTH_PORT ${config.healthPort} (${code})`, 3);
  }
}

/** Logs a failed node list or watch; a 403 gets its own line naming the RBAC it needs. */
function reportNodeError(log: Log, error: Error): void {
  const status =
    error instanceof NodeAccessError || error instanceof WatchStatusError
      ? error.status
      : undefined;
  if (status === 403)
    log.error(
      { err: error },
      "forbidden to list or watch nodes: grant the service account get, list and watch on nodes",
    );
  else log.warn({ err: error }, "node watch failed; retrying");
}

/** Wires configuration, election, informer, loop and health server; runs until SIGTERM/SIGINT. */
async function main(): Promise<number> {
  if (process.argv.includes("--version")) {
    process.stdout.write(`fip-controller ${version}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new StartupError(`configuration error: ${error.message}`, 2);
  }
  const log = createLog(config.logLevel, [config.token]);
  const metrics = createMetrics();
  const kube = connectKube();
  const hcloud = new HcloudClient({
    endpoint: config.hcloudEndpoint,
    token: config.token,
    userAgent: `fip-controller/${version} (${config.identity})`,
    onResponse: (status) => metrics.apiRequests.inc({ status }),
  });
  const informer = new NodeInformer(kube);
  const controller = new Controller({ config, hcloud, informer, log, metrics });
  const stop = new AbortController();
  const lease = { lease: `${config.leaseNamespace}/${config.leaseName}` };
  const health = await listen(
    config,
    () => !stop.signal.aborted && controller.live(),
    () => informer.synced,
    metrics,
  );
  for (const name of ["SIGTERM", "SIGINT"] as const) {
    process.once(name, () => {
      log.info({ ...lease, signal: name }, "stopping");
      stop.abort();
    });
  }
  log.info({ ...lease, holder: config.identity, port: config.healthPort }, "started");
  const informing = informer.run(
    (event) => controller.onNodeEvent(event),
    (error) => reportNodeError(log, error),
    stop.signal,
  );
  await elect(config, kube, controller, log, stop.signal);
  await informing;
  health.close();
  log.info(lease, "stopped");
  return 0;
}

/** Campaigns for the lease and leads while holding it, until the signal aborts. */
async function elect(
  config: Config,
  kube: KubeHttp,
  controller: Controller,
  log: Log,
  signal: AbortSignal,
): Promise<void> {
  const lease = { lease: `${config.leaseNamespace}/${config.leaseName}` };
  const elector = new LeaderElector(
    kube,
    config.leaseNamespace,
    config.leaseName,
    config.identity,
    config,
  );
  const messages = {
    acquired: "lease acquired; leading",
    lost: "lease lost; work stopped",
    released: "work stopped; lease released",
    "new-holder": "lease held by another replica",
  };
  await elector.run(
    {
      lead: (leading) => controller.lead(leading),
      onError: (error) => log.warn({ ...lease, err: error }, "lease request failed"),
      onEvent: (event, holder) => {
        const level = event === "lost" ? "warn" : "info";
        log[level]({ ...lease, holder }, messages[event]);
      },
    },
    signal,
  );
}

main().then(
  // Exit at once: idle keep-alive sockets must not hold a stopped controller open.
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StartupError) {
      process.stderr.write(`fip-controller: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(
      `fip-controller: unexpected failure: ${(error as Error)?.stack ?? String(error)}\nPlease report this with the log lines above.\n`,
    );
    process.exitCode = 1;
  },
);
