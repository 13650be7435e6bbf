import type { HcloudClient } from "./hcloud/client.ts";
import type { Log } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { Move } from "./reconcile.ts";

/** What the move tracker needs: the API, logging, metrics and the per-action deadline. */
export interface MoveDeps {
  hcloud: HcloudClient;
  log: Log;
  metrics: Metrics;
  actionTimeoutMs: number;
  /** When the node a move leaves turned unhealthy (for the failover latency), if known. */
  unhealthySince: (move: Move) => number | undefined;
  /** Called when a move ends either way, so the loop can plan again. */
  onSettled: (move: Move, ok: boolean) => void;
}

/** The longest pause between two failed attempts of one IP, and of whole passes. */
export const maxBackoffMs = 30_000;

/** Exponential backoff: 1 s after the first failure, doubling up to 30 s. */
export function backoffMs(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(failures - 1, 0), maxBackoffMs);
}

/**
 * Runs assign actions, one per floating IP at a time, each independently: a stuck or failing
 * action delays only its own IP. Each action has a deadline after which it counts as failed;
 * a failed IP is retried after its own backoff.
 */
export class MoveTracker {
  readonly #deps: MoveDeps;
  readonly #inFlight = new Map<number, { move: Move; done: Promise<void> }>();
  readonly #failures = new Map<number, { count: number; retryAt: number }>();

  constructor(deps: MoveDeps) {
    this.#deps = deps;
  }

  /** The target server of each IP whose action is still running, by IP id. */
  targets(): Map<number, number> {
    return new Map([...this.#inFlight].map(([id, m]) => [id, m.move.toServer]));
  }

  /** Whether a move for this IP may start now (none running, no backoff pending). */
  mayStart(ipId: number, now = Date.now()): boolean {
    return !this.#inFlight.has(ipId) && (this.#failures.get(ipId)?.retryAt ?? 0) <= now;
  }

  /** The earliest time a backed-off IP may be retried, if any. */
  nextRetryAt(): number | undefined {
    const times = [...this.#failures.values()].map((f) => f.retryAt);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** Starts a move in the background; `signal` is the leadership's (abort stops it quietly). */
  start(move: Move, signal: AbortSignal): void {
    const done = this.#run(move, signal).then(
      (ok) => {
        this.#inFlight.delete(move.ip.id);
        if (!signal.aborted) this.#deps.onSettled(move, ok);
      },
      () => {
        this.#inFlight.delete(move.ip.id);
      },
    );
    this.#inFlight.set(move.ip.id, { move, done });
  }

  /** Resolves once every running move has ended (after an abort, promptly). */
  async settled(): Promise<void> {
    await Promise.all([...this.#inFlight.values()].map((m) => m.done));
  }

  /** Forgets backoffs: a new leadership starts fresh. */
  reset(): void {
    this.#failures.clear();
  }

  async #run(move: Move, signal: AbortSignal): Promise<boolean> {
    const { hcloud, log, metrics, actionTimeoutMs } = this.#deps;
    const fields = {
      ip: move.ip.ip,
      node: move.toNode,
      server: move.toServer,
      fromNode: move.fromNode,
      fromServer: move.fromServer,
    };
    log.info(fields, "assigning floating IP");
    const deadline = AbortSignal.timeout(actionTimeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    try {
      const action = await hcloud.assignFloatingIp(move.ip.id, move.toServer, both);
      await hcloud.waitForAction(action, both);
    } catch (error) {
      if (signal.aborted) return false;
      const failures = (this.#failures.get(move.ip.id)?.count ?? 0) + 1;
      const retryInMs = backoffMs(failures);
      this.#failures.set(move.ip.id, { count: failures, retryAt: Date.now() + retryInMs });
      metrics.assignments.inc({ result: "error" });
      const err = deadline.aborted
        ? new Error(`the assign action did not end within ${actionTimeoutMs} ms`)
        : error;
      log.warn({ ...fields, err, retryInMs }, "assigning floating IP failed");
      return false;
    }
    this.#failures.delete(move.ip.id);
    metrics.assignments.inc({ result: "success" });
    const since = this.#deps.unhealthySince(move);
    if (since !== undefined) metrics.failoverSeconds.observe((Date.now() - since) / 1000);
    log.info(fields, "floating IP assigned");
    return true;
  }
}
