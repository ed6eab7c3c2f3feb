import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { DomainError } from "@khaacho/core";
import knexFactory, { type Knex } from "knex";
import ClientPgLite from "knex-pglite";
import pg from "pg";
import { pipelineTransactions } from "./pipeline.js";
import { lockDataDir } from "./lock.js";

/** An open database: the knex instance plus what it is and how to close it. */
export interface Database {
  knex: Knex;
  kind: "embedded" | "server";
  /** The data directory, or the server URL without its password. */
  location: string;
  close(): Promise<void>;
}

/** How to open the database: a server URL, or an embedded data directory (or memory). */
export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Embedded data directory; ignored when `databaseUrl` is set. */
  dataDir?: string | undefined;
  /** Embedded, in memory only (tests). */
  memory?: boolean;
  /** Server pool size. */
  poolMax?: number;
}

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

// Both drivers return the same JS types: bigint (paisa, ids, counts) as number — safe far beyond
// any real amount — and `date` as the plain `YYYY-MM-DD` string, never a Date shifted by a zone.
pg.types.setTypeParser(INT8, (value: string) => Number(value));
pg.types.setTypeParser(DATE, (value: string) => value);
pg.types.setTypeParser(NUMERIC, (value: string) => Number(value));

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/**
 * Opens the database: PostgreSQL via `pg` when `databaseUrl` is set, otherwise embedded PostgreSQL
 * (PGlite) persisted in `dataDir` (default `./.khaacho`), locked against other processes.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    const knex = knexFactory({
      client: "pg",
      connection: options.databaseUrl,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        // A transaction's BEGIN travels with its first statement, and its COMMIT can travel with its last (pipeline.ts).
        afterCreate: (connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) => {
          pipelineTransactions(connection);
          done(null, connection);
        },
      },
    });
    try {
      await knex.raw("select 1");
    } catch (error) {
      await knex.destroy();
      throw new DomainError("database_unavailable", `cannot reach the PostgreSQL server at ${redactUrl(options.databaseUrl)}: ${(error as Error).message}`);
    }
    return { knex, kind: "server", location: redactUrl(options.databaseUrl), close: () => knex.destroy() };
  }

  const parsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v, [NUMERIC]: (v: string) => Number(v) };
  if (options.memory) {
    const pglite = new PGlite({ parsers });
    const knex = knexFactory({ client: ClientPgLite, dialect: "postgres", connection: () => ({ pglite }) as object });
    return { knex, kind: "embedded", location: "memory", close: () => knex.destroy() };
  }

  const dataDir = resolve(options.dataDir ?? "./.khaacho");
  const release = lockDataDir(dataDir);
  try {
    const pgdata = join(dataDir, "pgdata");
    mkdirSync(pgdata, { recursive: true });
    const pglite = new PGlite(pgdata, { parsers });
    await pglite.waitReady;
    const knex = knexFactory({ client: ClientPgLite, dialect: "postgres", connection: () => ({ pglite }) as object });
    return {
      knex,
      kind: "embedded",
      location: dataDir,
      close: async () => {
        try {
          await knex.destroy();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    if (error instanceof DomainError) throw error;
    throw new DomainError("database_unavailable", `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`, { dataDir });
  }
}
