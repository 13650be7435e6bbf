import http from "node:http";
import type { Metrics } from "./metrics.ts";

/** What the health endpoints ask of the running controller. */
export interface HealthSource {
  /** Live: the loops are running. */
  healthy(): boolean;
  /** Ready: nodes listed and the election running; standbys are ready too. */
  ready(): boolean;
}

/** Serves `/healthz`, `/readyz` and `/metrics` on the given port; resolves once listening. */
export async function startHealthServer(
  port: number,
  source: HealthSource,
  metrics: Metrics,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end("metrics failed\n"),
      );
      return;
    }
    const check =
      path === "/healthz" ? source.healthy() : path === "/readyz" ? source.ready() : undefined;
    if (check === undefined) res.writeHead(404).end("not found\n");
    else
      res
        .writeHead(check ? 200 : 503, { "content-type": "text/plain" })
        .end(check ? "ok\n" : "not ready\n");
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, resolve));
  return server;
}
