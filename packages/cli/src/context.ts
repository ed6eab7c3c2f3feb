import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Config, type Env, parseConfig } from "@khaacho/core";
import { type Database, migrateLatest, migrationStatus, openDatabase } from "@khaacho/db";
import { parse as parseDotenv } from "dotenv";
import { CommandFailure } from "./errors.js";
import type { Output } from "./output.js";

/** Everything a command may touch, passed in so tests can point it at temp folders and buffers. */
export interface CommandContext {
  cwd: string;
  env: Env;
  output: Output;
  /** True when standard input is a terminal a person can answer prompts on. */
  interactive: boolean;
  stdin: NodeJS.ReadableStream;
  /** `--json` was given. */
  json: boolean;
  config(): Config;
  /** Opens the configured database, makes sure its schema is current, runs `fn`, closes it. */
  withDatabase<T>(fn: (db: Database) => Promise<T>, options?: { migrate?: boolean }): Promise<T>;
}

/** Reads `.env` in `cwd` (if any) under the real environment, which wins. */
export function loadEnv(cwd: string, env: Env): Env {
  const file = resolve(cwd, ".env");
  if (!existsSync(file)) return env;
  return { ...parseDotenv(readFileSync(file)), ...env };
}

/** Builds the context for one CLI invocation. */
export function createContext(init: Omit<CommandContext, "config" | "withDatabase" | "json"> & { json?: boolean }): CommandContext {
  let config: Config | undefined;
  const context: CommandContext = {
    ...init,
    json: init.json ?? false,
    config() {
      config ??= parseConfig(init.env);
      return config;
    },
    async withDatabase(fn, options = {}) {
      const cfg = context.config();
      const db = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: resolve(init.cwd, cfg.dataDir) });
      try {
        if (options.migrate !== false) await ensureSchema(db);
        return await fn(db);
      } finally {
        await db.close();
      }
    },
  };
  return context;
}

// The embedded database is ours alone, so it is migrated on open; a server's schema changes only
// when an admin says so.
async function ensureSchema(db: Database): Promise<void> {
  if (db.kind === "embedded") {
    await migrateLatest(db.knex);
    return;
  }
  const { pending } = await migrationStatus(db.knex);
  if (pending.length > 0) {
    throw new CommandFailure(`the database at ${db.location} has ${pending.length} pending migration(s); run: khaacho db migrate`, {
      pending,
    });
  }
}
