import type { Knex } from "knex";
import { COMMIT_AFTER } from "./pipeline.js";
import { prepared } from "./prepared.js";
import { type Executor, isTransaction } from "./transaction.js";

/**
 * Runs SQL (with `?` placeholders) on one connection. A name makes it a prepared statement on a
 * server connection; the SQL text under one name must never change. Meant for fixed statement
 * texts: each distinct text is converted to `$n` placeholders once and kept.
 */
export interface Statements {
  run<Row>(name: string | undefined, sql: string, bindings: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs the last statement of a transaction and commits the transaction with it; on a server
   * connection the COMMIT travels in the same round trip (see pipeline.ts). Only inside a
   * transaction, and nothing may run or fail in it afterwards: on a server the work is committed
   * from here on, and any further statement in it is refused.
   */
  runLast<Row>(name: string, sql: string, bindings: readonly unknown[]): Promise<Row[]>;
}

/** The minimal part of a node-postgres client that statements on a bare connection need. */
interface PgConnection {
  query(config: { name?: string; text: string; values?: unknown[]; [COMMIT_AFTER]?: boolean }): Promise<{ rows: unknown[] }>;
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

const notInTransaction = () => new Error("runLast commits a transaction: it needs one");

function executorStatements(executor: Executor): Statements {
  const run = async <Row>(name: string | undefined, sql: string, bindings: readonly unknown[]): Promise<Row[]> => {
    const raw = executor.raw<{ rows: Row[] }>(sql, bindings as Knex.RawBinding[]);
    return (await (name ? prepared(raw, name) : raw)).rows;
  };
  return {
    run,
    // The transaction's owner commits when its work returns, right after this.
    async runLast<Row>(name: string, sql: string, bindings: readonly unknown[]): Promise<Row[]> {
      if (!isTransaction(executor)) throw notInTransaction();
      return run<Row>(name, sql, bindings);
    },
  };
}

function connectionStatements(connection: PgConnection, transaction?: { isCompleted(): boolean }): Statements {
  const run = async <Row>(name: string | undefined, sql: string, bindings: readonly unknown[], last: boolean): Promise<Row[]> => {
    // knex refuses a query on a finished transaction; so must this path, or the statement would
    // run on a connection that is already back in the pool.
    if (transaction?.isCompleted()) throw new Error("the transaction these statements ran in has already finished");
    // As knex does: an undefined binding is a bug at the call site, not a NULL.
    const missing = bindings.findIndex((value) => value === undefined);
    if (missing >= 0) throw new Error(`binding ${missing + 1} of statement ${name ?? sql.slice(0, 60)} is undefined`);
    const values = bindings as unknown[];
    const result = await connection.query({ ...(name ? { name: `khaacho_${name}` } : {}), text: toPositional(sql), values, ...(last ? { [COMMIT_AFTER]: true } : {}) });
    return result.rows as Row[];
  };
  return {
    run: (name, sql, bindings) => run(name, sql, bindings, false),
    runLast: async (name, sql, bindings) => {
      if (!transaction) throw notInTransaction();
      return run(name, sql, bindings, true);
    },
  };
}

interface PoolClient {
  config: { client?: unknown };
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * Runs `work` on one connection, with statements that skip knex's per-query machinery (on the hot
 * path it costs more CPU than the statements themselves). Outside a transaction, on a PostgreSQL
 * server, it borrows a connection from knex's pool and each statement commits on its own: meant
 * for a unit whose only write is one self-contained statement (no BEGIN or COMMIT round trips, no
 * lock held between statements). Given a transaction, the statements run in it, on its connection,
 * without a savepoint: a failing statement aborts the caller's transaction, whose owner retries or
 * gives up (see `isRetryableTransactionError`). On the embedded database they go through knex.
 */
export async function withStatements<T>(executor: Executor, work: (statements: Statements) => Promise<T>): Promise<T> {
  const client = (executor as unknown as { client: PoolClient }).client;
  if (client.config.client !== "pg") return work(executorStatements(executor));
  // A transaction's client always hands out the transaction's connection, and releasing it is a no-op.
  const connection = await client.acquireConnection();
  try {
    return await work(connectionStatements(connection, isTransaction(executor) ? executor : undefined));
  } finally {
    await client.releaseConnection(connection);
  }
}
