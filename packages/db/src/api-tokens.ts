import type { Executor } from "./transaction.js";

/** Who an API token speaks for: admins may change things, analysts only read. */
export type ApiRole = "admin" | "analyst";

/** The roles an API token may have. */
export const API_ROLES: readonly ApiRole[] = ["admin", "analyst"];

/** A stored API token (the signed JWT itself is never stored, only its `jti`). */
export interface ApiTokenRecord {
  id: number;
  jti: string;
  name: string;
  role: ApiRole;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

interface ApiTokenRow {
  id: number;
  jti: string;
  name: string;
  role: ApiRole;
  created_at: Date | string;
  expires_at: Date | string | null;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function toRecord(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    jti: row.jti,
    name: row.name,
    role: row.role,
    createdAt: new Date(row.created_at),
    expiresAt: date(row.expires_at),
    revokedAt: date(row.revoked_at),
    lastUsedAt: date(row.last_used_at),
  };
}

/** Records a newly issued token. */
export async function insertApiToken(
  executor: Executor,
  token: { jti: string; name: string; role: ApiRole; now: Date; expiresAt: Date | null },
): Promise<ApiTokenRecord> {
  const [row] = (await executor("api_tokens")
    .insert({ jti: token.jti, name: token.name, role: token.role, created_at: token.now, expires_at: token.expiresAt })
    .returning("*")) as ApiTokenRow[];
  return toRecord(row!);
}

/** Every token, newest first. */
export async function listApiTokens(executor: Executor): Promise<ApiTokenRecord[]> {
  const rows = (await executor("api_tokens").select("*").orderBy("id", "desc")) as ApiTokenRow[];
  return rows.map(toRecord);
}

/** The token with this `jti`, if any. */
export async function findApiToken(executor: Executor, jti: string): Promise<ApiTokenRecord | undefined> {
  const row = (await executor("api_tokens").where({ jti }).first()) as ApiTokenRow | undefined;
  return row ? toRecord(row) : undefined;
}

/**
 * Revokes a token by its id or `jti`; revoking twice keeps the first time. Returns the token, or
 * `undefined` when there is none.
 */
export async function revokeApiToken(executor: Executor, token: { idOrJti: string; now: Date }): Promise<ApiTokenRecord | undefined> {
  const byId = /^\d+$/.test(token.idOrJti);
  const where = byId ? { id: Number(token.idOrJti) } : { jti: token.idOrJti };
  await executor("api_tokens").where(where).whereNull("revoked_at").update({ revoked_at: token.now });
  const row = (await executor("api_tokens").where(where).first()) as ApiTokenRow | undefined;
  return row ? toRecord(row) : undefined;
}

/** Notes that a token was used; writes at most once a minute per token. */
export async function touchApiToken(executor: Executor, jti: string, now: Date): Promise<void> {
  const minuteAgo = new Date(now.getTime() - 60_000);
  await executor("api_tokens")
    .where({ jti })
    .andWhere((q) => q.whereNull("last_used_at").orWhere("last_used_at", "<", minuteAgo))
    .update({ last_used_at: now });
}
