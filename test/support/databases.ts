// Test databases: every database-backed test runs against embedded PostgreSQL (PGlite, in memory)
// and against a real PostgreSQL server (TEST_DATABASE_URL), each test file in a fresh database.
import { appendFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { type Database, migrateLatest, openDatabase } from "@khaacho/db";
import knexFactory from "knex";
import { afterAll, beforeAll, describe } from "vitest";

export type TargetName = "pglite" | "postgres";

const serverUrl = process.env.TEST_DATABASE_URL;

if (process.env.CI && !serverUrl) {
  throw new Error("CI must run the PostgreSQL-backed tests: set TEST_DATABASE_URL (see .ci/run)");
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Creates a fresh, migrated database on the target; returns it and a disposer. */
export async function createTestDatabase(target: TargetName, options: { poolMax?: number } = {}): Promise<{ db: Database; dispose: () => Promise<void> }> {
  if (target === "pglite") {
    const db = await openDatabase({ memory: true });
    await migrateLatest(db.knex);
    return { db, dispose: () => db.close() };
  }
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `khaacho_t_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = knexFactory({ client: "pg", connection: serverUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const db = await openDatabase({ databaseUrl: withDatabaseName(serverUrl, name), poolMax: options.poolMax ?? 10 });
  await migrateLatest(db.knex);
  // CI checks this file to prove the server-backed tests really ran.
  if (process.env.KHAACHO_PG_TEST_MARKER) appendFileSync(process.env.KHAACHO_PG_TEST_MARKER, `${name}\n`);
  return {
    db,
    dispose: async () => {
      await db.close();
      const cleanup = knexFactory({ client: "pg", connection: serverUrl, pool: { min: 0, max: 1 } });
      try {
        await cleanup.raw(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

/** The targets this run can use: always PGlite; the server when TEST_DATABASE_URL is set. */
export const targets: readonly TargetName[] = serverUrl ? ["pglite", "postgres"] : ["pglite"];

/**
 * Declares `body` once per database target (by default both), each with its own fresh migrated
 * database for the whole describe block; the server target is declared skipped when
 * TEST_DATABASE_URL is not set. Read the database through `ctx.db` inside tests and hooks.
 */
export function describeEachDatabase(
  title: string,
  body: (ctx: { readonly db: Database; readonly target: TargetName }) => void,
  options: { poolMax?: number; targets?: readonly TargetName[] } = {},
): void {
  for (const target of options.targets ?? ["pglite", "postgres"]) {
    if (!targets.includes(target)) {
      // Shown as skipped, so a run without a server says what it left out.
      describe.skip(`${title} [${target}: set TEST_DATABASE_URL to run]`, () => {
        body({
          get db(): Database {
            throw new Error("no PostgreSQL server for this run");
          },
          target,
        });
      });
      continue;
    }
    describe(`${title} [${target}]`, () => {
      let current: { db: Database; dispose: () => Promise<void> } | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(target, options);
      }, 60_000);
      afterAll(async () => {
        await current?.dispose();
      }, 60_000);
      body({
        get db() {
          if (!current) throw new Error("test database not ready");
          return current.db;
        },
        target,
      });
    });
  }
}

/** Whether the server target is available in this run. */
export const hasServer = Boolean(serverUrl);
