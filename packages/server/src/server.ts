import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "./logger.js";

/** A listening server and how to stop it gracefully. */
export interface RunningServer {
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then resolves. */
  close(graceMs?: number): Promise<void>;
}

/** Serves `app` on node:http at `port` (0: any free port) and `hostname`. */
export async function startServer(options: { app: Hono; port: number; hostname?: string; logger: Logger }): Promise<RunningServer> {
  let server: ServerType | undefined;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: options.app.fetch, port: options.port, hostname: options.hostname ?? "0.0.0.0" }, resolve);
    server.once("error", reject);
  });
  const http = server as import("node:http").Server;
  // Twilio and load balancers keep connections alive; idle ones must not hold a shutdown open.
  http.keepAliveTimeout = 65_000;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.logger.warn({ graceMs }, "requests still running after the grace period; closing their connections");
          http.closeAllConnections();
        }, graceMs);
        force.unref();
        // A keep-alive connection whose request finishes after this point turns idle without
        // closing; closing idle ones again until the server is done lets shutdown end as soon as
        // the last response is written instead of at the grace period.
        const sweep = setInterval(() => http.closeIdleConnections(), 50);
        sweep.unref();
        http.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        http.closeIdleConnections();
      });
      return closing;
    },
  };
}
