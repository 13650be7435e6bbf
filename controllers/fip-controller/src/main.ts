import { KubeConfig } from "@kubernetes/client-node";
import { ConfigError, loadConfig } from "./config.ts";
import { Controller } from "./controller.ts";
import { HcloudClient } from "./hcloud/client.ts";
import { KubeHttp } from "./kube/http.ts";
import { LeaderElector } from "./kube/lease.ts";
import { NodeInformer } from "./kube/nodes.ts";
import { createLog } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { startHealthServer } from "./server.ts";

const version = "0.1.0";

/** Wires configuration, election, informer, loop and health server; runs until SIGTERM/SIGINT. */
async function main(): Promise<number> {
  if (process.argv.includes("--version")) {
    process.stdout.write(`fip-controller ${version}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`fip-controller: configuration error: ${error.message}\n`);
    return 2;
  }
  const log = createLog(config.logLevel, [config.token]);
  const metrics = createMetrics();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const kube = new KubeHttp(kubeConfig);
  const hcloud = new HcloudClient({
    endpoint: config.hcloudEndpoint,
    token: config.token,
    userAgent: `fip-controller/${version} (${config.identity})`,
    onResponse: (status) => metrics.apiRequests.inc({ status }),
  });
  const informer = new NodeInformer(kube);
  const controller = new Controller({ config, hcloud, informer, log, metrics });
  const elector = new LeaderElector(
    kube,
    config.leaseNamespace,
    config.leaseName,
    config.identity,
    config,
  );
  const stop = new AbortController();
  const lease = { lease: `${config.leaseNamespace}/${config.leaseName}` };

  for (const name of ["SIGTERM", "SIGINT"] as const) {
    process.once(name, () => {
      log.info({ ...lease, signal: name }, "stopping");
      stop.abort();
    });
  }
  const health = await startHealthServer(
    config.healthPort,
    { healthy: () => !stop.signal.aborted && controller.live(), ready: () => informer.synced },
    metrics,
  );
  log.info({ ...lease, holder: config.identity, port: config.healthPort }, "started");

  const informing = informer.run(
    (event) => controller.onNodeEvent(event),
    (error) => log.warn({ err: error }, "node watch failed; retrying"),
    stop.signal,
  );
  await elector.run(
    {
      lead: (signal) => controller.lead(signal),
      onError: (error) => log.warn({ ...lease, err: error }, "lease request failed"),
      onEvent: (event, holder) => {
        const messages = {
          acquired: "lease acquired; leading",
          lost: "lease lost; work stopped",
          released: "work stopped; lease released",
          "new-holder": "lease held by another replica",
        };
        const level = event === "lost" ? "warn" : "info";
        log[level]({ ...lease, holder }, messages[event]);
      },
    },
    stop.signal,
  );
  await informing;
  health.close();
  log.info(lease, "stopped");
  return 0;
}

main().then(
  // Exit at once: idle keep-alive sockets must not hold a stopped controller open.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `fip-controller: unexpected failure: ${(error as Error)?.stack ?? String(error)}\nPlease report this with the log lines above.\n`,
    );
    process.exitCode = 1;
  },
);
