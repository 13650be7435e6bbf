import { setTimeout as sleep } from "node:timers/promises";
import type { KubeNode } from "../reconcile.ts";
import type { KubeHttp } from "./http.ts";

/** What the informer reports: a node added, changed or removed, or a relist. */
export type NodeEvent =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; node: KubeNode }
  | { type: "RELISTED" };

/** A list or watch of nodes answered with an error status (403: RBAC refuses it). */
export class NodeAccessError extends Error {
  override name = "NodeAccessError";
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** Thrown inside the watch loop when the server answers 410 Gone (resourceVersion too old). */
class GoneError extends Error {
  override name = "GoneError";
}

/**
 * Keeps a live copy of all Nodes: list, then watch from the list's resourceVersion; relists
 * on 410 Gone, resumes from the last seen version when a stream ends.
 */
export class NodeInformer {
  readonly #http: KubeHttp;
  readonly #nodes = new Map<string, KubeNode>();
  #resourceVersion = "";
  #synced = false;

  constructor(http: KubeHttp) {
    this.#http = http;
  }

  /** Whether a first list has completed. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The nodes as last seen, by name order. */
  nodes(): KubeNode[] {
    return [...this.#nodes.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Runs until the signal aborts; `onEvent` sees every change; `onError` every failure. */
  async run(
    onEvent: (e: NodeEvent) => void,
    onError: (e: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (this.#resourceVersion === "") await this.#list(onEvent);
        await this.#watch(onEvent, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof GoneError) {
          this.#resourceVersion = "";
          continue;
        }
        onError(error as Error);
        failures++;
        await sleep(Math.min(250 * 2 ** failures, 5000), undefined, { signal }).catch(() => {});
      }
    }
  }

  async #list(onEvent: (e: NodeEvent) => void): Promise<void> {
    const res = await this.#http.request("GET", "/api/v1/nodes");
    if (res.status !== 200)
      throw new NodeAccessError(`listing nodes: HTTP ${res.status}`, res.status);
    const items = (res.body.items as KubeNode[]) ?? [];
    this.#nodes.clear();
    for (const node of items) this.#nodes.set(node.metadata.name, node);
    this.#resourceVersion = String(
      (res.body.metadata as { resourceVersion?: string })?.resourceVersion ?? "",
    );
    this.#synced = true;
    onEvent({ type: "RELISTED" });
  }

  async #watch(onEvent: (e: NodeEvent) => void, signal: AbortSignal): Promise<void> {
    const query = new URLSearchParams({
      watch: "1",
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: "300",
    });
    await this.#http.watch(
      `/api/v1/nodes?${query}`,
      (event) => this.#apply(event, onEvent),
      signal,
    );
  }

  #apply(event: Record<string, unknown>, onEvent: (e: NodeEvent) => void): void {
    const type = event.type as string;
    const object = event.object as KubeNode & { code?: number };
    if (type === "ERROR") {
      if (object.code === 410) throw new GoneError("resourceVersion too old");
      throw new Error(`watch error: ${JSON.stringify(object)}`);
    }
    const version = object.metadata?.resourceVersion;
    if (version) this.#resourceVersion = version;
    if (type === "BOOKMARK") return;
    if (type === "DELETED") this.#nodes.delete(object.metadata.name);
    else if (type === "ADDED" || type === "MODIFIED") this.#nodes.set(object.metadata.name, object);
    else return;
    onEvent({ type, node: object });
  }
}
