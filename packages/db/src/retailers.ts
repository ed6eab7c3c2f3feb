import { DomainError, normalizePhone } from "@khaacho/core";
import { checkParty, insertUnique, invalid } from "./party.js";
import { type Executor, inTransaction } from "./transaction.js";

/** A retailer as the rest of the system sees it. */
export interface Retailer {
  id: number;
  code: string;
  name: string;
  phone: string;
  area: string | null;
  language: "en" | "ne";
  creditLimitPaisa: number;
  status: "ACTIVE" | "SUSPENDED" | "BLOCKED";
  createdAt: Date;
}

/** A `retailers` row as the database returns it (the columns `Retailer` is read from). */
export interface RetailerRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  area: string | null;
  language: "en" | "ne";
  credit_limit_paisa: number;
  status: Retailer["status"];
  created_at: Date;
}

/** The retailer a `retailers` row describes. */
export function toRetailer(row: RetailerRow): Retailer {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    phone: row.phone,
    area: row.area,
    language: row.language,
    creditLimitPaisa: row.credit_limit_paisa,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** Registers a retailer. Credit limit in paisa. */
export async function addRetailer(
  executor: Executor,
  input: { code: string; name: string; phone: string; creditLimitPaisa: number; area?: string | undefined; language?: "en" | "ne" | undefined },
): Promise<Retailer> {
  const party = checkParty(input);
  if (!Number.isSafeInteger(input.creditLimitPaisa) || input.creditLimitPaisa < 0) invalid("credit-limit", "credit limit must be zero or more");
  const language = input.language ?? "en";
  if (language !== "en" && language !== "ne") invalid("language", `language must be en or ne, got "${String(language)}"`);
  const [row] = await insertUnique(
    "retailers",
    () => executor("retailers").insert({ ...party, language, credit_limit_paisa: input.creditLimitPaisa }).returning("*") as Promise<RetailerRow[]>,
    party,
  );
  return toRetailer(row as RetailerRow);
}

/** Every retailer, by code. */
export async function listRetailers(executor: Executor): Promise<Retailer[]> {
  const rows = (await executor("retailers").select("*").orderBy("code")) as RetailerRow[];
  return rows.map(toRetailer);
}

/** The retailer with this code, or undefined. */
export async function getRetailerByCode(executor: Executor, code: string): Promise<Retailer | undefined> {
  const row = (await executor("retailers").where({ code: code.trim() }).first()) as RetailerRow | undefined;
  return row ? toRetailer(row) : undefined;
}

/** The retailer with this code, or a not_found DomainError naming it. */
export async function requireRetailerByCode(executor: Executor, code: string): Promise<Retailer> {
  const retailer = await getRetailerByCode(executor, code);
  if (!retailer) throw new DomainError("not_found", `no retailer with code ${code}`, { field: "retailer", value: code });
  return retailer;
}

/** The retailer registered with this phone (any format normalizePhone accepts), or undefined. */
export async function findRetailerByPhone(executor: Executor, phone: string): Promise<Retailer | undefined> {
  const normalized = normalizePhone(phone);
  if (!normalized.ok) return undefined;
  const row = (await executor("retailers").where({ phone: normalized.phone }).first()) as RetailerRow | undefined;
  return row ? toRetailer(row) : undefined;
}

/**
 * Changes a retailer's credit limit (paisa) and records who did it in audit_log, in one
 * transaction; returns the retailer before and after.
 */
export async function setCreditLimit(
  executor: Executor,
  code: string,
  creditLimitPaisa: number,
  options: { actor?: string | undefined } = {},
): Promise<{ before: Retailer; after: Retailer }> {
  if (!Number.isSafeInteger(creditLimitPaisa) || creditLimitPaisa < 0) invalid("credit-limit", "credit limit must be zero or more");
  return inTransaction(executor, async (trx) => {
    const row = (await trx("retailers").where({ code: code.trim() }).forUpdate().first()) as RetailerRow | undefined;
    if (!row) throw new DomainError("not_found", `no retailer with code ${code}`, { field: "retailer", value: code });
    const before = toRetailer(row);
    const [updated] = (await trx("retailers")
      .where({ id: before.id })
      .update({ credit_limit_paisa: creditLimitPaisa, updated_at: trx.fn.now() })
      .returning("*")) as RetailerRow[];
    await trx("audit_log").insert({
      actor: options.actor ?? "system",
      action: "retailer.credit_limit_changed",
      entity_type: "retailer",
      entity_id: before.code,
      details: JSON.stringify({ fromPaisa: before.creditLimitPaisa, toPaisa: creditLimitPaisa }),
    });
    return { before, after: toRetailer(updated as RetailerRow) };
  });
}

/** Sets a retailer's reply language. */
export async function setRetailerLanguage(executor: Executor, retailerId: number, language: "en" | "ne"): Promise<void> {
  await executor("retailers").where({ id: retailerId }).update({ language, updated_at: executor.fn.now() });
}
