import { assign, setup } from "xstate";
import { MAX_LINE_QUANTITY } from "./order-pricing.js";
import type { UnresolvedItem } from "./parser.js";

/** Reply language of a retailer: English or Nepali (Devanagari). */
export type ChatLanguage = "en" | "ne";

/** One line of a draft order: only SKU and quantity, so prices are always read fresh. */
export interface ChatDraftLine {
  sku: string;
  quantity: number;
}

/** A line the bot still has to ask about (which product, or how many), in the parser's terms. */
export type ChatPendingLine = Pick<UnresolvedItem, "text" | "reason" | "candidates" | "quantity" | "candidateQuantities">;

/** The order being put together, with the questions still open (asked first to last). */
export interface ChatDraft {
  lines: ChatDraftLine[];
  pending: ChatPendingLine[];
  /** ISO time of the last change, for expiry. */
  updatedAt: string;
}

/** What the conversation remembers between messages. */
export interface ChatContext {
  language: ChatLanguage;
  draft: ChatDraft | null;
}

/**
 * Already-interpreted inputs. Events that change the draft carry `at` (ISO time) because the
 * machine has no clock of its own.
 */
export type ChatEvent =
  | { type: "order.items"; items: ChatDraftLine[]; unresolved: ChatPendingLine[]; at: string }
  | { type: "draft.add"; items: ChatDraftLine[]; unresolved: ChatPendingLine[]; at: string }
  | { type: "draft.remove"; sku: string; at: string }
  | { type: "choice"; index: number; quantity?: number | undefined; at: string }
  | { type: "skip"; at: string }
  | { type: "confirm" }
  | { type: "cancel" }
  | { type: "order.placed" }
  | { type: "language"; language: ChatLanguage }
  | { type: "draft.expired" };

/** True when the first pending line asks only "how many?" (one known product, no usable number). */
export function asksQuantity(pending: ChatPendingLine): boolean {
  // An unknown product with one suggestion is still a "which one?" question: the suggestion may be wrong.
  if (pending.candidates.length !== 1) return false;
  return pending.reason === "no_quantity" || pending.reason === "unit_mismatch";
}

function validQuantity(quantity: number | undefined): quantity is number {
  return quantity !== undefined && Number.isSafeInteger(quantity) && quantity >= 1 && quantity <= MAX_LINE_QUANTITY;
}

/**
 * What an answer to the first pending line means: a finished line, or a product picked whose
 * quantity must still be asked. Undefined when the answer does not fit the question.
 */
export function answerPending(
  pending: ChatPendingLine,
  answer: { index: number; quantity?: number | undefined },
): { line: ChatDraftLine } | { askQuantityFor: string } | undefined {
  if (asksQuantity(pending)) {
    const sku = pending.candidates[0]!;
    // "6" answers "how many?"; "1 x 6" is also accepted.
    const quantity = answer.quantity !== undefined ? (answer.index === 1 ? answer.quantity : undefined) : answer.index;
    return validQuantity(quantity) ? { line: { sku, quantity } } : undefined;
  }
  const sku = pending.candidates[answer.index - 1];
  if (sku === undefined || answer.index < 1) return undefined;
  if (answer.quantity !== undefined) return validQuantity(answer.quantity) ? { line: { sku, quantity: answer.quantity } } : undefined;
  // A candidate past the end of candidateQuantities is one the retailer's unit does not fit: ask.
  const known =
    pending.reason === "unit_mismatch" ? undefined : pending.candidateQuantities !== undefined ? pending.candidateQuantities[answer.index - 1] : pending.quantity;
  return validQuantity(known) ? { line: { sku, quantity: known } } : { askQuantityFor: sku };
}

function mergeLines(base: readonly ChatDraftLine[], more: readonly ChatDraftLine[]): ChatDraftLine[] {
  const out = base.map((l) => ({ ...l }));
  for (const line of more) {
    const existing = out.find((l) => l.sku === line.sku);
    if (existing) existing.quantity = Math.min(MAX_LINE_QUANTITY, existing.quantity + line.quantity);
    else out.push({ sku: line.sku, quantity: line.quantity });
  }
  return out;
}

// Products the parser could not find at all have no candidates: the runtime reports them by name,
// there is nothing to ask.
function askable(unresolved: readonly ChatPendingLine[]): ChatPendingLine[] {
  return unresolved.filter((u) => u.candidates.length > 0).map((u) => ({ ...u, candidates: [...u.candidates] }));
}

/**
 * The retailer's conversation. Pure: it only decides the state and the draft. The runtime
 * (packages/bot) performs every effect between events — placing the order on CONFIRM, lookups for
 * STATUS/BALANCE, expiry by the clock — and then sends the outcome (`order.placed`,
 * `draft.expired`) as an event. `routing` is transient: a snapshot never rests there.
 */
export const chatMachine = setup({
  types: {
    context: {} as ChatContext,
    events: {} as ChatEvent,
  },
  actions: {
    replaceDraft: assign({
      draft: ({ event }) => {
        if (event.type !== "order.items") return null;
        return { lines: mergeLines([], event.items), pending: askable(event.unresolved), updatedAt: event.at };
      },
    }),
    addToDraft: assign({
      draft: ({ context, event }) => {
        if (event.type !== "draft.add") return context.draft;
        const draft = context.draft ?? { lines: [], pending: [], updatedAt: event.at };
        return { lines: mergeLines(draft.lines, event.items), pending: [...draft.pending, ...askable(event.unresolved)], updatedAt: event.at };
      },
    }),
    removeFromDraft: assign({
      draft: ({ context, event }) => {
        if (event.type !== "draft.remove" || !context.draft) return context.draft;
        return { ...context.draft, lines: context.draft.lines.filter((l) => l.sku !== event.sku), updatedAt: event.at };
      },
    }),
    answerChoice: assign({
      draft: ({ context, event }) => {
        const draft = context.draft;
        const head = draft?.pending[0];
        if (event.type !== "choice" || !draft || !head) return draft;
        const answer = answerPending(head, event);
        if (!answer) return draft;
        const rest = draft.pending.slice(1);
        if ("line" in answer) return { lines: mergeLines(draft.lines, [answer.line]), pending: rest, updatedAt: event.at };
        const question: ChatPendingLine = { text: head.text, reason: "no_quantity", candidates: [answer.askQuantityFor] };
        return { lines: draft.lines, pending: [question, ...rest], updatedAt: event.at };
      },
    }),
    skipPending: assign({
      draft: ({ context, event }) => {
        if (!context.draft || event.type !== "skip") return context.draft;
        return { ...context.draft, pending: context.draft.pending.slice(1), updatedAt: event.at };
      },
    }),
    clearDraft: assign({ draft: () => null }),
    setLanguage: assign({ language: ({ context, event }) => (event.type === "language" ? event.language : context.language) }),
  },
  guards: {
    hasPending: ({ context }) => (context.draft?.pending.length ?? 0) > 0,
    hasLines: ({ context }) => (context.draft?.lines.length ?? 0) > 0,
    validChoice: ({ context, event }) => {
      const head = context.draft?.pending[0];
      return event.type === "choice" && head !== undefined && answerPending(head, event) !== undefined;
    },
  },
}).createMachine({
  id: "conversation",
  // A new conversation starts in English; the runtime sends `language` with the retailer's saved choice.
  context: { language: "en", draft: null },
  initial: "idle",
  on: {
    language: { actions: "setLanguage" },
    cancel: { target: ".idle", actions: "clearDraft" },
    "draft.expired": { target: ".idle", actions: "clearDraft" },
    "order.items": { target: ".routing", actions: "replaceDraft" },
    "draft.add": { target: ".routing", actions: "addToDraft" },
  },
  states: {
    idle: {},
    routing: {
      always: [
        { guard: "hasPending", target: "clarifying" },
        { guard: "hasLines", target: "awaitingConfirmation" },
        { target: "idle", actions: "clearDraft" },
      ],
    },
    clarifying: {
      on: {
        choice: { guard: "validChoice", target: "routing", actions: "answerChoice" },
        skip: { target: "routing", actions: "skipPending" },
        "draft.remove": { target: "routing", actions: "removeFromDraft" },
      },
    },
    awaitingConfirmation: {
      on: {
        // The runtime asks `snapshot.can({ type: "confirm" })`, places the order, and sends
        // `order.placed`; on a refusal the draft stays here to be edited. The explicit target is
        // what makes `can` true: XState treats a transition with neither target nor action as none.
        confirm: { guard: "hasLines", target: "awaitingConfirmation" },
        "order.placed": { target: "idle", actions: "clearDraft" },
        "draft.remove": { target: "routing", actions: "removeFromDraft" },
      },
    },
  },
});

/** The states a conversation can rest in between messages. */
export type ChatState = "idle" | "clarifying" | "awaitingConfirmation";
