import { migrationStatus } from "@khaacho/db";
import type { Context } from "hono";
import type { Knex } from "knex";

/** What `GET /health` reports. */
export interface HealthReport {
  status: "ok" | "unavailable";
  version: string;
  uptimeSeconds: number;
  database: { reachable: boolean; migrationsCurrent: boolean; pendingMigrations: string[]; error?: string };
  spooledMessages: number;
}

/** Checks the database and the schema; 200 when both are fine, 503 otherwise. */
export function healthCheck(deps: { knex: Knex; version: string; startedAt: Date; now: () => Date; spooled: () => number; timeoutMs?: number }) {
  return async function reportHealth(c: Context): Promise<Response> {
    const database: HealthReport["database"] = { reachable: false, migrationsCurrent: false, pendingMigrations: [] };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await deps.knex.raw("select 1");
          database.reachable = true;
          const { pending } = await migrationStatus(deps.knex);
          database.pendingMigrations = pending;
          database.migrationsCurrent = pending.length === 0;
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from the database within ${deps.timeoutMs ?? 2000} ms`)), deps.timeoutMs ?? 2000);
        }),
      ]);
    } catch (error) {
      database.error = (error as Error)?.message ?? String(error);
    } finally {
      clearTimeout(timer);
    }
    const healthy = database.reachable && database.migrationsCurrent;
    const report: HealthReport = {
      status: healthy ? "ok" : "unavailable",
      version: deps.version,
      uptimeSeconds: Math.round((deps.now().getTime() - deps.startedAt.getTime()) / 1000),
      database,
      spooledMessages: deps.spooled(),
    };
    return c.json(report, healthy ? 200 : 503);
  };
}
