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
  /** When the last successful acquire or renew attempt started (epoch ms). */
  #acquireStartedAt = 0;

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

  /**
   * Runs the work and renews; returns true when it released the lease on abort.
   *
   * The renew deadline counts from when the last successful renewal STARTED (as client-go's
   * observed time is taken before the request): the write may land at once while its answer
   * arrives late, and standbys start their expiry clock when they see the write. Work stops at
   * that deadline, leaseDuration - renewDeadline before any standby may take the lease, and
   * each lease request is cut off at the deadline, so a hung request keeps nothing alive.
   */
  async #lead(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<boolean> {
    const work = new AbortController();
    let renewedAt = this.#acquireStartedAt;
    let watchdog = this.#watchdog(work, renewedAt);
    const running = callbacks.lead(work.signal).catch(() => {});
    while (!signal.aborted && !work.signal.aborted) {
      await sleep(this.#timings.retryPeriodMs, undefined, {
        signal: AbortSignal.any([signal, work.signal]),
      }).catch(() => {});
      if (signal.aborted || work.signal.aborted) break;
      const startedAt = Date.now();
      const renewed = await this.#tryAcquireOrRenew(
        renewedAt + this.#timings.renewDeadlineMs,
      ).catch((error: Error) => {
        callbacks.onError(error);
        return false;
      });
      if (!renewed || work.signal.aborted) continue;
      renewedAt = startedAt;
      clearTimeout(watchdog);
      watchdog = this.#watchdog(work, renewedAt);
    }
    clearTimeout(watchdog);
    work.abort();
    await running;
    if (!signal.aborted || Date.now() - renewedAt >= this.#timings.renewDeadlineMs) return false;
    await this.#release().catch(() => {});
    return true;
  }

  /** Aborts the work at the renew deadline counted from `renewedAt`, even while a request hangs. */
  #watchdog(work: AbortController, renewedAt: number): NodeJS.Timeout {
    const left = renewedAt + this.#timings.renewDeadlineMs - Date.now();
    return setTimeout(() => work.abort(), Math.max(left, 0));
  }

  /**
   * Reads the lease and takes or renews it when free or ours. `deadline` (epoch ms) bounds the
   * whole attempt: each request gets only the time left, so no answer can arrive after it.
   */
  async #tryAcquireOrRenew(
    deadline = Date.now() + this.#timings.retryPeriodMs * 2,
  ): Promise<boolean> {
    const startedAt = Date.now();
    const left = () => {
      const ms = deadline - Date.now();
      if (ms <= 0) throw new Error(`lease ${this.#path}: renew deadline passed`);
      return ms;
    };
    const now = microTime();
    const got = await this.#http.request("GET", this.#path, undefined, left());
    if (got.status === 404) {
      const created = await this.#create(now, left());
      if (created) this.#acquireStartedAt = startedAt;
      return created;
    }
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
    const put = await this.#http.request("PUT", this.#path, { ...lease, spec: next }, left());
    if (put.status === 409) return false;
    if (put.status !== 200) throw new Error(`updating lease ${this.#path}: HTTP ${put.status}`);
    left();
    this.#lease = put.body as unknown as LeaseObject;
    this.#acquireStartedAt = startedAt;
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
