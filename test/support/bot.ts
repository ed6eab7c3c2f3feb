// Drives the WhatsApp bot as a retailer would, against a test database seeded from examples/.
import { Readable } from "node:stream";
import { createBot } from "@khaacho/bot";
import type { Bot, BotOptions } from "@khaacho/bot";
import type { Database } from "@khaacho/db";
import { seedExample } from "../../packages/cli/src/commands/seed.js";
import type { ExampleName } from "../../packages/cli/src/commands/seed.js";
import { createContext } from "../../packages/cli/src/context.js";

/** Ram Kirana Pasal (English) and Sita General Store (Nepali) in examples/retailers.csv. */
export const RAM = "+9779812345678";
export const SITA = "+9779823456789";

/** Seeds one of the example data sets the way `khaacho seed` does. */
export async function seed(db: Database, example: ExampleName): Promise<void> {
  const context = createContext({ cwd: process.cwd(), env: {}, output: { out: () => {}, err: () => {} }, interactive: false, stdin: Readable.from([]) });
  await seedExample(context, db, example);
}

/** The settings the bot reads, as the defaults give them. */
export const botConfig: BotOptions["config"] = { vatRateBasisPoints: 1300, businessTimeZone: "Asia/Kathmandu", draftTtlMinutes: 30 };

let sequence = 0;

/** A phone's side of a chat: `send` returns the replies; each message gets a fresh id unless one is given. */
export function retailerChat(bot: () => Bot, phone: string, clock: { now: Date } = { now: new Date() }) {
  return {
    async send(body: string, options: { sid?: string; numMedia?: number } = {}): Promise<string[]> {
      const result = await bot().handle({
        messageSid: options.sid ?? `SM-test-${process.pid}-${++sequence}`,
        phone,
        body,
        numMedia: options.numMedia ?? 0,
        receivedAt: clock.now,
      });
      return result.replies;
    },
  };
}

/** A bot over `db` whose clock is `clock.now`. */
export function botOn(db: Database, clock: { now: Date } = { now: new Date() }): Bot {
  return createBot({ knex: db.knex, config: botConfig, now: () => clock.now });
}
