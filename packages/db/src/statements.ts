import type { Knex } from "knex";
import { prepared } from "./prepared.js";
import { type Executor, isRetryableTransactionError, inTransaction, isTransaction } from "./transaction.js";

/**
 * Runs SQL (with `?` placeholders) on the one connection of an open transaction. A name makes it a
 * prepared statement on a server connection; the SQL text under one name must never change.
 */
export interface Statements {
  run<Row>(name: string | undefined, sql: string, bindings: readonly unknown[]): Promise<Row[]>;
  /** The knex transaction behind it, when there is one (the embedded database, a caller's transaction). */
  readonly trx: Knex.Transaction | undefined;
}

/** The minimal part of a node-postgres client that a transaction on a bare connection needs. */
interface PgConnection {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

const positional = new Map<string, string>();

// knex's `?` placeholders as PostgreSQL's `$1, $2, ...`, converted once per statement text.
function toPositional(sql: string): string {
  let text = positional.get(sql);
  if (text === undefined) {
    if (sql.includes("??") || sql.includes("\\?")) throw new Error("identifier bindings and escaped placeholders are not supported on a bare connection");
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    positional.set(sql, text);
  }
  return text;
}

function knexStatements(trx: Knex.Transaction): Statements {
  return {
    trx,
    async run<Row>(name: string | undefined, sql: string, bindings: readonly unknown[]): Promise<Row[]> {
      const raw = trx.raw<{ rows: Row[] }>(sql, bindings as Knex.RawBinding[]);
      return (await (name ? prepared(raw, name) : raw)).rows;
    },
  };
}

function connectionStatements(connection: PgConnection): Statements {
  return {
    trx: undefined,
    async run<Row>(name: string | undefined, sql: string, bindings: readonly unknown[]): Promise<Row[]> {
      const values = bindings.map((value) => (value === undefined ? null : value));
      const result = await connection.query({ ...(name ? { name: `khaacho_${name}` } : {}), text: toPositional(sql), values });
      return result.rows as Row[];
    },
  };
}

interface PoolClient {
  config: { client?: unknown };
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Runs `work` in a transaction, like `inTransaction`, for a short hot-path unit of a few statements.
 * On a PostgreSQL server it borrows a connection from knex's pool and drives BEGIN/COMMIT on it
 * directly: knex's per-transaction and per-query machinery costs more CPU than the statements
 * themselves there. Serialization failures and deadlocks are retried the same way. Given a
 * transaction, or on the embedded database, it runs through knex.
 */
export async function inStatements<T>(executor: Executor, work: (statements: Statements) => Promise<T>): Promise<T> {
  const client = (executor as unknown as { client: PoolClient }).client;
  if (isTransaction(executor) || client.config.client !== "pg") return inTransaction(executor, (trx) => work(knexStatements(trx)));
  const attempts = 12;
  for (let attempt = 1; ; attempt++) {
    const connection = await client.acquireConnection();
    try {
      await connection.query({ text: "begin" });
      let result: T;
      try {
        result = await work(connectionStatements(connection));
        await connection.query({ text: "commit" });
      } catch (error) {
        await connection.query({ text: "rollback" }).catch(() => undefined);
        throw error;
      }
      return result;
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
    } finally {
      await client.releaseConnection(connection);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
  }
}

/**
 * Runs `work` on one connection with statements that each commit on their own, for a unit whose
 * only write is a single self-contained statement (reads before it see committed data, as they
 * would in a READ COMMITTED transaction): no BEGIN or COMMIT round trips, and no lock is held
 * between statements. On a PostgreSQL server it borrows a connection from knex's pool. Given a
 * transaction, or on the embedded database, it runs in a transaction through knex (a savepoint
 * inside a caller's transaction), so a failing statement leaves the caller's work intact.
 */
export async function withStatements<T>(executor: Executor, work: (statements: Statements) => Promise<T>): Promise<T> {
  const client = (executor as unknown as { client: PoolClient }).client;
  if (isTransaction(executor) || client.config.client !== "pg") return inTransaction(executor, (trx) => work(knexStatements(trx)));
  const connection = await client.acquireConnection();
  try {
    return await work(connectionStatements(connection));
  } finally {
    await client.releaseConnection(connection);
  }
}
