import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The controller's Prometheus metrics, on their own registry. */
export interface Metrics {
  registry: Registry;
  leader: Gauge;
  assignments: Counter<"result">;
  failoverSeconds: Histogram;
  apiRequests: Counter<"status">;
  reconcileErrors: Counter;
}

/** Creates the metrics (names prefixed `fip_controller_`) plus Node's process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    leader: new Gauge({
      name: "fip_controller_leader",
      help: "1 while this replica holds the lease",
      registers,
    }),
    assignments: new Counter({
      name: "fip_controller_assignments_total",
      help: "Floating IP assign actions by result",
      labelNames: ["result"],
      registers,
    }),
    failoverSeconds: new Histogram({
      name: "fip_controller_failover_seconds",
      help: "From a node observed unhealthy to its floating IP's assign success",
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers,
    }),
    apiRequests: new Counter({
      name: "fip_controller_hcloud_requests_total",
      help: "Hetzner Cloud API requests by HTTP status",
      labelNames: ["status"],
      registers,
    }),
    reconcileErrors: new Counter({
      name: "fip_controller_reconcile_errors_total",
      help: "Reconcile passes that failed",
      registers,
    }),
  };
}
