import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Outcomes of an inbound WhatsApp message, as counted by `khaacho_whatsapp_messages_total`. */
export type InboundOutcome = "processed" | "duplicate" | "rate_limited" | "spooled" | "failed" | "ignored";

/** The server's Prometheus registry and the instruments the routes update. */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  whatsappMessages: Counter<"outcome">;
  apiOrders: Counter<"outcome">;
}

/** Figures read from the database when `/metrics` is scraped. */
export interface MetricsSources {
  outboxBacklog(): Promise<number>;
  ordersPlaced(): Promise<{ source: string; count: number }[]>;
  spooled(): number;
}

/**
 * A fresh registry (one per app, so tests do not share counters) with HTTP, message, order and
 * outbox figures. Database-backed gauges keep their last value when the database is unreachable.
 */
export function createMetrics(sources: MetricsSources, options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "khaacho_" });
  const httpRequests = new Counter({
    name: "khaacho_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "khaacho_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route", "method"] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const whatsappMessages = new Counter({
    name: "khaacho_whatsapp_messages_total",
    help: "Inbound WhatsApp messages by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const apiOrders = new Counter({
    name: "khaacho_api_orders_total",
    help: "Orders requested through POST /api/orders by outcome (placed, refused, replayed)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "khaacho_orders_placed",
    help: "Orders placed, by source (read from the database)",
    labelNames: ["source"] as const,
    registers: [registry],
    async collect() {
      try {
        for (const row of await sources.ordersPlaced()) this.set({ source: row.source }, row.count);
      } catch {
        // Unreachable database: keep the last value; /health reports the outage.
      }
    },
  });
  new Gauge({
    name: "khaacho_outbox_backlog",
    help: "Outbound messages not yet handed to the provider",
    registers: [registry],
    async collect() {
      try {
        this.set(await sources.outboxBacklog());
      } catch {
        // As above.
      }
    },
  });
  new Gauge({
    name: "khaacho_inbound_spooled",
    help: "Inbound messages kept on disk while the database was unreachable, not yet processed",
    registers: [registry],
    collect() {
      this.set(sources.spooled());
    },
  });
  return { registry, httpRequests, httpDuration, whatsappMessages, apiOrders };
}

/** Counts every request and times it, labelled by the matched route pattern (not the raw path). */
export function requestMetrics(metrics: Metrics): MiddlewareHandler {
  return async function recordRequestMetrics(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const matched = routePath(c, -1);
      const route = c.res.status === 404 && (matched === "*" || matched === "/*") ? "unmatched" : matched;
      const method = c.req.method;
      metrics.httpRequests.inc({ route, method, status: String(c.res.status) });
      metrics.httpDuration.observe({ route, method }, (performance.now() - started) / 1000);
    }
  };
}
