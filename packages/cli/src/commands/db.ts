import { migrateLatest, migrateRollback, migrationStatus } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { action } from "./action.js";

/** `khaacho db migrate | rollback | status`. */
export function dbCommand(context: CommandContext): Command {
  const db = new Command("db").description("manage the database schema (migrations)");

  db.command("migrate")
    .description("apply every pending migration")
    .action(
      action(context, async () => {
        const applied = await context.withDatabase((d) => migrateLatest(d.knex), { migrate: false });
        return {
          data: { applied },
          human: applied.length === 0 ? "Already up to date." : `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join("\n")}`,
        };
      }),
    );

  db.command("rollback")
    .description("undo the last batch of migrations")
    .action(
      action(context, async () => {
        const rolledBack = await context.withDatabase((d) => migrateRollback(d.knex), { migrate: false });
        return {
          data: { rolledBack },
          human: rolledBack.length === 0 ? "Nothing to roll back." : `Rolled back ${rolledBack.length} migration(s):\n${rolledBack.map((m) => `  ${m}`).join("\n")}`,
        };
      }),
    );

  db.command("status")
    .description("show applied and pending migrations")
    .action(
      action(context, async () => {
        const result = await context.withDatabase(async (d) => ({ database: d.location, kind: d.kind, ...(await migrationStatus(d.knex)) }), {
          migrate: false,
        });
        const lines = [`Database: ${result.kind} (${result.database})`];
        for (const name of result.applied) lines.push(`  applied  ${name}`);
        for (const name of result.pending) lines.push(`  pending  ${name}`);
        if (result.applied.length + result.pending.length === 0) lines.push("  no migrations found");
        return { data: result, human: lines.join("\n") };
      }),
    );
  return db;
}
