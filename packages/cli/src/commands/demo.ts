import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { applyRateHalfUp, buildCatalogIndex, businessDate, describeRefusal, formatRupees, parseMessage } from "@khaacho/core";
import { type Database, findRetailerByPhone, getCreditSummary, getOrderDetail, listProducts, migrateLatest, openDatabase, placeOrder } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure } from "../errors.js";
import { action } from "./action.js";
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

const rs = (paisa: number) => formatRupees(paisa, { grouping: "indian" });

/**
 * The conversation without the WhatsApp bot: each message is read by the core parser over the live
 * catalog and priced with VAT; CONFIRM places the last order read through the real order use-case
 * (stock reserved, credit hold, vendor chosen); STATUS and BALANCE read the order and the credit
 * position. The bot's own replies replace these lines once `packages/bot` provides them.
 */
export const playThroughParts: PlayConversation = async (context, db, phone, messages) => {
  const config = context.config();
  const now = new Date();
  const retailer = await findRetailerByPhone(db.knex, phone);
  if (!retailer) throw new CommandFailure(`no retailer with phone ${phone}; the demo seeds examples/retailers.csv, which should have it`);
  const products = await listProducts(db.knex);
  const index = buildCatalogIndex(products);
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const transcript: string[] = [
    "(The WhatsApp bot is not part of this build yet: under each message, khaacho ~ shows how the",
    " parser reads it and what the order and credit layer does with it.)",
    "",
    `${retailer.name} (${retailer.code}, ${phone}) on WhatsApp:`,
    "",
  ];
  let draft: { sku: string; quantity: number }[] = [];
  let lastOrder: string | undefined;

  for (const [position, message] of messages.entries()) {
    transcript.push(...message.split("\n").map((l, i) => `${i === 0 ? "  retailer > " : "             "}${l}`));
    const parsed = parseMessage(message, index);
    const notes: string[] = [`read as: ${parsed.intent}`];
    if (parsed.intent === "order" || parsed.items.length > 0) {
      let subtotal = 0;
      for (const item of parsed.items) {
        const product = bySku.get(item.sku);
        const line = (product?.pricePaisa ?? 0) * item.quantity;
        subtotal += line;
        notes.push(`${item.sku} x ${item.quantity}  ${product?.name ?? "?"}  ${rs(line)}   <- "${item.text}"`);
      }
      for (const left of parsed.unresolved) {
        notes.push(`not sure: "${left.text}" (${left.reason.replace(/_/g, " ")}${left.candidates.length ? `; could be ${left.candidates.join(", ")}` : ""})`);
      }
      if (parsed.items.length > 0) {
        const vat = applyRateHalfUp(subtotal, config.vatRateBasisPoints);
        notes.push(`subtotal ${rs(subtotal)} + VAT ${config.vatRateBasisPoints / 100}% ${rs(vat)} = total ${rs(subtotal + vat)}; waiting for CONFIRM`);
        draft = parsed.items.map((item) => ({ sku: item.sku, quantity: item.quantity }));
      }
    } else if (parsed.intent === "confirm") {
      if (draft.length === 0) {
        notes.push("nothing to confirm yet");
      } else {
        // The key makes a second demo run on the same day replay the first order instead of placing another.
        const result = await placeOrder(db.knex, {
          retailerId: retailer.id,
          lines: draft,
          idempotencyKey: `demo:${phone}:${businessDate(now, config.businessTimeZone)}:${position}`,
          source: "whatsapp",
          actor: `retailer:${retailer.code}`,
          now,
          vatRateBasisPoints: config.vatRateBasisPoints,
          timeZone: config.businessTimeZone,
        });
        if (result.ok) {
          const o = result.order;
          lastOrder = o.number;
          notes.push(
            `order ${o.number} ${result.replayed ? "was already placed by an earlier demo run today (same key), so it is not placed twice" : "placed"}: ${o.itemCount} item(s), total ${rs(o.totalPaisa)}, vendor ${o.vendor.name} (${o.vendor.code})`,
            `stock reserved at ${o.vendor.code}; a credit hold of ${rs(o.totalPaisa)} is on ${retailer.code}'s account`,
          );
        } else {
          notes.push(`not placed: ${describeRefusal(result.refusal)}`);
        }
        draft = [];
      }
    } else if (parsed.intent === "status") {
      const order = lastOrder ? await getOrderDetail(db.knex, lastOrder, { now, timeZone: config.businessTimeZone }) : undefined;
      notes.push(order ? `order ${order.number}: ${order.status}, total ${rs(order.totalPaisa)}, due ${rs(order.duePaisa)}` : "no order placed in this conversation yet");
    } else if (parsed.intent === "balance") {
      const credit = await getCreditSummary(db.knex, retailer.id, now, config.businessTimeZone);
      notes.push(
        `credit limit ${rs(credit.limitPaisa)}, used ${rs(credit.usedPaisa)} (owed ${rs(credit.receivablePaisa)}, on hold ${rs(credit.holdsPaisa)}), available ${rs(credit.availablePaisa)}`,
      );
    }
    transcript.push(...notes.map((l) => `  khaacho  ~ ${l}`), "");
  }
  return transcript;
};

/** `khaacho demo`: the embedded database, the examples, and a scripted WhatsApp order. */
export function demoCommand(context: CommandContext, play: PlayConversation = playThroughParts): Command {
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
