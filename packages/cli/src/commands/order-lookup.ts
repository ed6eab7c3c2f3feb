import { DomainError } from "@khaacho/core";
import type { Executor } from "@khaacho/db";

/** The retailer with `code`, read straight from the table; not_found names the code. */
export async function retailerIdByCode(executor: Executor, code: string): Promise<{ id: number; code: string; name: string }> {
  const row = (await executor.raw<{ rows: { id: number; code: string; name: string }[] }>(`select id, code, name from retailers where code = ?`, [code.trim()])).rows[0];
  if (!row) throw new DomainError("not_found", `no retailer with code ${code} (see: khaacho retailers list)`, { retailer: code });
  return row;
}

/** Who did it, for order events and audit: the operator's login name. */
export function cliActor(env: Record<string, string | undefined>): string {
  return `cli:${env.USER ?? env.USERNAME ?? "operator"}`;
}
