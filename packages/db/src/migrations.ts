import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Knex } from "knex";

/** Where the schema lives: `migrations/` at the repository root. */
export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../migrations");

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// A source of our own so the same `.js` files load the same way under node, vitest and any cwd.
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(MIGRATIONS_DIR)
      .filter((file) => /^\d{14}_[a-z0-9_]+\.js$/.test(file))
      .sort();
  },
  getMigrationName(file) {
    return file;
  },
  async getMigration(file) {
    return (await import(pathToFileURL(join(MIGRATIONS_DIR, file)).href)) as MigrationModule;
  },
};

const config: Knex.MigratorConfig = { migrationSource, tableName: "knex_migrations" };

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
  return applied;
}

/** Rolls back the last batch of migrations; returns the names rolled back. */
export async function migrateRollback(knex: Knex): Promise<string[]> {
  const [, rolledBack] = (await knex.migrate.rollback(config)) as [number, string[]];
  return rolledBack;
}

/** Which migrations are applied and which are pending. */
export async function migrationStatus(knex: Knex): Promise<{ applied: string[]; pending: string[] }> {
  // With a custom source, knex lists pending migrations as the source's own items (file names here).
  const [completed, pending] = (await knex.migrate.list(config)) as [{ name: string }[], (string | { file: string })[]];
  return { applied: completed.map((m) => m.name), pending: pending.map((m) => (typeof m === "string" ? m : m.file)) };
}
