import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { businessDate } from "@khaacho/core";
import { type Database, migrateLatest, openDatabase } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure } from "../errors.js";
import { action } from "./action.js";
import { playThroughBot } from "./chat.js";
import { EXAMPLES_DIR, describeSeed, seedExample } from "./seed.js";

/** The demo retailer: Ram Kirana Pasal in examples/retailers.csv. */
export const DEMO_PHONE = "+9779812345678";

/** Reads a chat script: one message per line; the two characters `\n` inside a line are a line break. */
export function readChatScript(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CommandFailure(`cannot read the chat script ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.replace(/\\n/g, "\n"));
}

/** Plays a chat script as the retailer with `phone` and returns the transcript, one line per entry. */
export type PlayConversation = (context: CommandContext, db: Database, phone: string, messages: readonly string[]) => Promise<string[]>;

// The demo's message ids are fixed for the day and the script: a second run the same day is answered
// from the replies stored by the first (the bot's deduplication), so the scripted order is placed once a day.
const playDemoConversation: PlayConversation = (context, db, phone, messages) => {
  const script = createHash("sha256").update(messages.join("\u0000")).digest("hex").slice(0, 12);
  return playThroughBot(context, db, phone, messages, `demo-${phone}-${businessDate(new Date(), context.config().businessTimeZone)}-${script}`);
};

/** `khaacho demo`: the embedded database, the examples, and a scripted WhatsApp order. */
export function demoCommand(context: CommandContext, play: PlayConversation = playDemoConversation): Command {
  return new Command("demo")
    .description("run Khaacho end to end on the embedded database: migrate, seed the examples, play a scripted WhatsApp order")
    .option("--script <FILE>", "chat script to play (one message per line)", join(EXAMPLES_DIR, "demo-chat.txt"))
    .addHelpText(
      "after",
      `
Always uses the embedded database in KHAACHO_DATA_DIR (default ./.khaacho), never DATABASE_URL.
Safe to run again: the database is reused, the examples are only added where missing, and the
scripted order is placed once a day (a second run shows the same order).`,
    )
    .action(
      action(context, async (options: { script: string }) => {
        const config = context.config();
        const dataDir = resolve(context.cwd, config.dataDir);
        const messages = readChatScript(resolve(context.cwd, options.script));
        // Always the embedded database: a demo must never write into a configured server.
        const db = await openDatabase({ dataDir });
        try {
          const applied = await migrateLatest(db.knex);
          const seeded = await seedExample(context, db, "surkhet");
          const transcript = await play(context, db, DEMO_PHONE, messages);
          const header = [
            `Khaacho demo: embedded database in ${dataDir}`,
            applied.length ? `Migrated: ${applied.length} migration(s) applied.` : "Schema is up to date.",
            describeSeed(seeded),
            "",
          ];
          return { data: { dataDir, migrationsApplied: applied, seeded, transcript }, human: [...header, ...transcript].join("\n") };
        } finally {
          await db.close();
        }
      }),
    );
}
