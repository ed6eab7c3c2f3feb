import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { getShortestPaths } from "xstate/graph";
import { answerPending, chatMachine } from "./chat-machine.js";
import type { ChatEvent, ChatPendingLine } from "./chat-machine.js";

const at = "2026-11-25T08:00:00.000Z";
const coke: ChatPendingLine = { text: "coke 6", reason: "ambiguous", candidates: ["COKE-250", "COKE-500"], quantity: 6, candidateQuantities: [6, 6] };
const noQuantity: ChatPendingLine = { text: "dal", reason: "no_quantity", candidates: ["DAL-1KG"] };

function run(events: ChatEvent[]) {
  const actor = createActor(chatMachine).start();
  for (const event of events) actor.send(event);
  return actor.getSnapshot();
}

describe("chatMachine", () => {
  it("an order with clear lines waits for CONFIRM; order.placed clears it", () => {
    const waiting = run([{ type: "order.items", items: [{ sku: "RICE-1KG", quantity: 10 }], unresolved: [], at }]);
    expect(waiting.value).toBe("awaitingConfirmation");
    expect(waiting.can({ type: "confirm" })).toBe(true);
    expect(waiting.context.draft?.lines).toEqual([{ sku: "RICE-1KG", quantity: 10 }]);
    const placed = run([{ type: "order.items", items: [{ sku: "RICE-1KG", quantity: 10 }], unresolved: [], at }, { type: "confirm" }, { type: "order.placed" }]);
    expect(placed.value).toBe("idle");
    expect(placed.context.draft).toBeNull();
  });

  it("CONFIRM is only possible with lines and no open question", () => {
    expect(run([]).can({ type: "confirm" })).toBe(false);
    expect(run([{ type: "order.items", items: [], unresolved: [coke], at }]).can({ type: "confirm" })).toBe(false);
  });

  it("asks open questions one at a time; a number picks, number x quantity overrides, SKIP drops", () => {
    const asking = run([{ type: "order.items", items: [{ sku: "RICE-1KG", quantity: 1 }], unresolved: [coke, noQuantity], at }]);
    expect(asking.value).toBe("clarifying");
    const picked = run([{ type: "order.items", items: [{ sku: "RICE-1KG", quantity: 1 }], unresolved: [coke, noQuantity], at }, { type: "choice", index: 2, at }]);
    expect(picked.value).toBe("clarifying");
    expect(picked.context.draft?.lines).toEqual([{ sku: "RICE-1KG", quantity: 1 }, { sku: "COKE-500", quantity: 6 }]);
    expect(picked.context.draft?.pending).toEqual([noQuantity]);
    const answered = run([
      { type: "order.items", items: [], unresolved: [coke, noQuantity], at },
      { type: "choice", index: 1, quantity: 12, at },
      { type: "choice", index: 5, at },
    ]);
    expect(answered.value).toBe("awaitingConfirmation");
    expect(answered.context.draft?.lines).toEqual([{ sku: "COKE-250", quantity: 12 }, { sku: "DAL-1KG", quantity: 5 }]);
    const skipped = run([{ type: "order.items", items: [], unresolved: [coke], at }, { type: "skip", at }]);
    expect(skipped.value).toBe("idle");
    expect(skipped.context.draft).toBeNull();
  });

  it("ignores an answer that does not fit the question", () => {
    const s = run([{ type: "order.items", items: [], unresolved: [coke], at }, { type: "choice", index: 3, at }, { type: "choice", index: 0, at }]);
    expect(s.value).toBe("clarifying");
    expect(s.context.draft?.pending).toHaveLength(1);
  });

  it("ADD merges, REMOVE drops a line, a new list replaces, CANCEL clears", () => {
    const base: ChatEvent = { type: "order.items", items: [{ sku: "RICE-1KG", quantity: 10 }], unresolved: [], at };
    const added = run([base, { type: "draft.add", items: [{ sku: "RICE-1KG", quantity: 5 }, { sku: "DAL-1KG", quantity: 2 }], unresolved: [], at }]);
    expect(added.context.draft?.lines).toEqual([{ sku: "RICE-1KG", quantity: 15 }, { sku: "DAL-1KG", quantity: 2 }]);
    const removed = run([base, { type: "draft.remove", sku: "RICE-1KG", at }]);
    expect(removed.value).toBe("idle");
    const replaced = run([base, { type: "order.items", items: [{ sku: "DAL-1KG", quantity: 1 }], unresolved: [], at }]);
    expect(replaced.context.draft?.lines).toEqual([{ sku: "DAL-1KG", quantity: 1 }]);
    const cancelled = run([base, { type: "cancel" }]);
    expect(cancelled.value).toBe("idle");
    expect(cancelled.context.draft).toBeNull();
  });

  it("language is remembered across drafts and survives a persisted snapshot", () => {
    const actor = createActor(chatMachine).start();
    actor.send({ type: "language", language: "ne" });
    actor.send({ type: "order.items", items: [], unresolved: [coke], at });
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown;
    const restored = createActor(chatMachine, { snapshot: persisted as never }).start();
    expect(restored.getSnapshot().value).toBe("clarifying");
    expect(restored.getSnapshot().context.language).toBe("ne");
    restored.send({ type: "choice", index: 1, at });
    expect(restored.getSnapshot().value).toBe("awaitingConfirmation");
  });

  it("reaches every state it can rest in (graph paths)", () => {
    const events: ChatEvent[] = [
      { type: "order.items", items: [{ sku: "A", quantity: 1 }], unresolved: [], at },
      { type: "order.items", items: [], unresolved: [coke], at },
      { type: "choice", index: 1, at },
      { type: "skip", at },
      { type: "confirm" },
      { type: "order.placed" },
      { type: "cancel" },
      { type: "draft.expired" },
    ];
    const paths = getShortestPaths(chatMachine, { events, limit: 200 });
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual(["awaitingConfirmation", "clarifying", "idle"]);
    // A snapshot never rests in the transient routing state.
    expect(reached.has("routing")).toBe(false);
  });
});

describe("answerPending", () => {
  it("reads a number as the quantity when only the quantity is asked", () => {
    expect(answerPending(noQuantity, { index: 7 })).toEqual({ line: { sku: "DAL-1KG", quantity: 7 } });
    expect(answerPending(noQuantity, { index: 1, quantity: 6 })).toEqual({ line: { sku: "DAL-1KG", quantity: 6 } });
    expect(answerPending(noQuantity, { index: 0 })).toBeUndefined();
  });
  it("asks the quantity when the chosen product has none", () => {
    expect(answerPending({ text: "coke", reason: "ambiguous", candidates: ["COKE-250", "COKE-500"] }, { index: 2 })).toEqual({ askQuantityFor: "COKE-500" });
    expect(answerPending(coke, { index: 3 })).toBeUndefined();
    expect(answerPending(coke, { index: 1, quantity: 0 })).toBeUndefined();
  });
  it("asks the quantity for a candidate the retailer's unit did not fit, instead of reusing the number", () => {
    const churot = { text: "churot 2 carton", reason: "ambiguous" as const, quantity: 2, candidates: ["SURYA-CTN", "SHIKHAR-PKT"], candidateQuantities: [2] };
    expect(answerPending(churot, { index: 1 })).toEqual({ line: { sku: "SURYA-CTN", quantity: 2 } });
    expect(answerPending(churot, { index: 2 })).toEqual({ askQuantityFor: "SHIKHAR-PKT" });
  });
});
