// Random conversations at the real runtime: it never throws, always answers within WhatsApp's
// limit, always leaves a conversation that can take the next message, and places an order only on
// a CONFIRM.
import { buildCatalogIndex, chatMachine, chatReplies, classifyMessage } from "@khaacho/core";
import { listProducts } from "@khaacho/db";
import fc from "fast-check";
import { expect, it } from "vitest";
import { createActor } from "xstate";
import { botOn, RAM, seed } from "./support/bot.js";
import { describeEachDatabase } from "./support/databases.js";

const message = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("SALT-1KG x 2", "chamal 2 bora", "coke 6", "chini", "chini 5 kg\ncoke 12", "SUGAR-KG x 3, SALT-1KG x 1", "jeera masino 25kg 1 bora", "चिनी 2 kg") },
  { weight: 3, arbitrary: fc.constantFrom("CONFIRM", "yes", "हो", "ok", "confirm.") },
  { weight: 2, arbitrary: fc.constantFrom("CANCEL", "no", "रद्द") },
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 0, max: 12 }).map(String), fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 200_000 })).map(([a, b]) => `${a} x ${b}`)) },
  { weight: 2, arbitrary: fc.constantFrom("skip", "ADD SALT-1KG x 1", "ADD coke", "REMOVE salt", "REMOVE 1", "REMOVE zzz", "STATUS", "STATUS ORD1", "ORDERS", "BALANCE", "PRICE chini", "REORDER", "HELP", "NEPALI", "ENGLISH") },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 700 }).map((n) => "chini 5 kg, coke 6\n".repeat(n)) },
  { weight: 1, arbitrary: fc.constant("") },
);
const step = fc.record({ body: message, numMedia: fc.constantFrom(0, 0, 0, 1), minutesLater: fc.constantFrom(0, 0, 1, 45) });

describeEachDatabase("bot: random conversations (fast-check)", (ctx) => {
  it("never throws, always answers, stays usable, and places orders only on CONFIRM", async () => {
    await seed(ctx.db, "surkhet");
    const index = buildCatalogIndex(await listProducts(ctx.db.knex));
    const clock = { now: new Date("2026-11-25T04:00:00.000Z") };
    const reached = new Set<string>();
    let sid = 0;
    const orders = async () => Number(((await ctx.db.knex("orders").count({ n: "*" }).first()) as { n: number | string }).n);

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        // A restart between some messages: a new bot half of the time.
        let bot = botOn(ctx.db, clock);
        for (const s of steps) {
          clock.now = new Date(clock.now.getTime() + s.minutesLater * 60_000);
          if (sid % 2 === 0) bot = botOn(ctx.db, clock);
          const before = await orders();
          const result = await bot.handle({ messageSid: `SM-prop-${++sid}`, phone: RAM, body: s.body, numMedia: s.numMedia, receivedAt: clock.now });
          expect(result.duplicate).toBe(false);
          expect(result.replies.length).toBeGreaterThan(0);
          for (const reply of result.replies) {
            expect(reply.trim()).not.toBe("");
            expect(reply.length).toBeLessThanOrEqual(1600);
            expect(reply).not.toBe(chatReplies.errorReply("en"));
          }
          const placed = (await orders()) - before;
          if (placed !== 0) {
            expect(placed).toBe(1);
            expect(classifyMessage(s.body, index).kind).toBe("confirm");
          }
          const row = (await ctx.db.knex("conversations").where({ phone: RAM }).first()) as { snapshot: unknown };
          const snapshot = typeof row.snapshot === "string" ? JSON.parse(row.snapshot) : row.snapshot;
          const restored = createActor(chatMachine, { snapshot }).start().getSnapshot();
          expect(["idle", "clarifying", "awaitingConfirmation"]).toContain(restored.value);
          reached.add(String(restored.value));
        }
      }),
      { numRuns: 40 },
    );
    expect([...reached].sort()).toEqual(["awaitingConfirmation", "clarifying", "idle"]);
    const failed = await ctx.db.knex("inbound_messages").where({ status: "failed" }).count({ n: "*" }).first();
    expect(Number((failed as { n: number | string }).n)).toBe(0);
  }, 300_000);
});
