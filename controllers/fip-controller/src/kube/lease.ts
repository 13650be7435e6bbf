import { setTimeout as sleep } from "node:timers/promises";
import type { KubeHttp } from "./http.ts";

/** Lease timings in milliseconds; renewDeadline < leaseDuration, retryPeriod < renewDeadline. */
export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** What the elector reports; `lead` runs the guarded work until its signal aborts. */
export interface LeaderCallbacks {
  lead: (signal: AbortSignal) => Promise<void>;
  onEvent: (event: "acquired" | "lost" | "released" | "new-holder", holder: string) => void;
  /** A failed read or write of the lease (the election carries on). */
  onError: (error: Error) => void;
}

interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseRecord;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's rules: a lease is free
 * when its holder is empty or its record has not changed for leaseDuration by the local clock
 * (clocks of replicas are never compared); every write carries the resourceVersion read, so a
 * 409 Conflict means another replica won the race.
 */
export class LeaderElector {
  readonly #http: KubeHttp;
  readonly #path: string;
  readonly #collection: string;
  readonly #namespace: string;
  readonly #name: string;
  readonly #identity: string;
  readonly #timings: LeaseTimings;
  #observed: { record: string; at: number } | undefined;
  #lease: LeaseObject | undefined;

  constructor(
    http: KubeHttp,
    namespace: string,
    name: string,
    identity: string,
    timings: LeaseTimings,
  ) {
    this.#http = http;
    this.#collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
    this.#path = `${this.#collection}/${name}`;
    this.#namespace = namespace;
    this.#name = name;
    this.#identity = identity;
    this.#timings = timings;
  }

  /** Campaigns, leads while it can renew, and on abort stops the work before releasing the lease. */
  async run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void> {
    let lastHolder = "";
    while (!signal.aborted) {
      const acquired = await this.#tryAcquireOrRenew().catch((error: Error) => {
        callbacks.onError(error);
        return false;
      });
      const holder = this.#lease?.spec.holderIdentity ?? "";
      if (holder !== lastHolder && holder !== this.#identity)
        callbacks.onEvent("new-holder", holder);
      lastHolder = holder;
      if (acquired) {
        callbacks.onEvent("acquired", this.#identity);
        const released = await this.#lead(callbacks, signal);
        callbacks.onEvent(released ? "released" : "lost", this.#identity);
        lastHolder = released ? "" : this.#identity;
        continue;
      }
      await sleep(this.#timings.retryPeriodMs, undefined, { signal }).catch(() => {});
    }
  }

  /** Runs the work and renews; returns true when it released the lease on abort. */
  async #lead(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<boolean> {
    const work = new AbortController();
    let lastRenew = Date.now();
    // The watchdog fires even while a renewal hangs: work stops at the renew deadline,
    // leaseDuration - renewDeadline before any other replica may take the lease.
    let watchdog = setTimeout(() => work.abort(), this.#timings.renewDeadlineMs);
    const running = callbacks.lead(work.signal).catch(() => {});
    while (!signal.aborted && !work.signal.aborted) {
      await sleep(this.#timings.retryPeriodMs, undefined, {
        signal: AbortSignal.any([signal, work.signal]),
      }).catch(() => {});
      if (signal.aborted || work.signal.aborted) break;
      const remaining = this.#timings.renewDeadlineMs - (Date.now() - lastRenew);
      const renewed = await this.#tryAcquireOrRenew(Math.max(remaining, 1)).catch(
        (error: Error) => {
          callbacks.onError(error);
          return false;
        },
      );
      if (!renewed) continue;
      lastRenew = Date.now();
      clearTimeout(watchdog);
      watchdog = setTimeout(() => work.abort(), this.#timings.renewDeadlineMs);
    }
    clearTimeout(watchdog);
    work.abort();
    await running;
    if (!signal.aborted || Date.now() - lastRenew >= this.#timings.renewDeadlineMs) return false;
    await this.#release().catch(() => {});
    return true;
  }

  async #tryAcquireOrRenew(timeoutMs = this.#timings.retryPeriodMs * 2): Promise<boolean> {
    const now = microTime();
    const got = await this.#http.request("GET", this.#path, undefined, timeoutMs);
    if (got.status === 404) return this.#create(now, timeoutMs);
    if (got.status !== 200) throw new Error(`reading lease ${this.#path}: HTTP ${got.status}`);
    const lease = got.body as unknown as LeaseObject;
    this.#lease = lease;
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === this.#identity;
    if (!mine && spec.holderIdentity && !this.#expired(spec)) return false;
    const next: LeaseRecord = {
      ...spec,
      holderIdentity: this.#identity,
      leaseDurationSeconds: Math.ceil(this.#timings.leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: mine ? spec.acquireTime : now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    const put = await this.#http.request("PUT", this.#path, { ...lease, spec: next }, timeoutMs);
    if (put.status === 409) return false;
    if (put.status !== 200) throw new Error(`updating lease ${this.#path}: HTTP ${put.status}`);
    this.#lease = put.body as unknown as LeaseObject;
    return true;
  }

  /** Expired by the local clock: the record has not changed for its lease duration. */
  #expired(spec: LeaseRecord): boolean {
    const key = `${spec.holderIdentity}|${spec.renewTime}|${spec.leaseDurationSeconds}`;
    const now = Date.now();
    if (this.#observed?.record !== key) this.#observed = { record: key, at: now };
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    return now - this.#observed.at > durationMs;
  }

  async #create(now: string, timeoutMs: number): Promise<boolean> {
    const body: LeaseObject = {
      metadata: { name: this.#name, namespace: this.#namespace },
      spec: {
        holderIdentity: this.#identity,
        leaseDurationSeconds: Math.ceil(this.#timings.leaseDurationMs / 1000),
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    };
    const res = await this.#http.request(
      "POST",
      this.#collection,
      { apiVersion: "coordination.k8s.io/v1", kind: "Lease", ...body },
      timeoutMs,
    );
    if (res.status === 409) return false;
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`creating lease ${this.#path}: HTTP ${res.status}`);
    this.#lease = res.body as unknown as LeaseObject;
    return true;
  }

  /** Clears the holder so a standby takes over at its next retry instead of waiting it out. */
  async #release(): Promise<void> {
    if (!this.#lease || this.#lease.spec.holderIdentity !== this.#identity) return;
    const spec = {
      ...this.#lease.spec,
      holderIdentity: "",
      leaseDurationSeconds: 1,
      renewTime: microTime(),
    };
    await this.#http.request(
      "PUT",
      this.#path,
      { ...this.#lease, spec },
      this.#timings.retryPeriodMs,
    );
  }
}

/**
 * A MicroTime as the API server parses it (RFC 3339 with exactly six fractional digits;
 * apimachinery's MicroTime rejects JavaScript's millisecond form).
 */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/Z$/, "000Z");
}
