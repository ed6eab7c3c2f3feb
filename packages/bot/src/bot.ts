import {
  buildCatalogIndex,
  businessDate,
  chatMachine,
  chatReplies as say,
  classifyMessage,
  findDraftLine,
  normalizePhone,
  searchCatalog,
  splitReply,
} from "@khaacho/core";
import type { CatalogIndex, CatalogProduct, ChatCommand, ChatDraftLine, ChatLanguage, ChatPendingLine, Config, ParsedMessage } from "@khaacho/core";
import {
  getCreditSummary,
  getLatestOrderDetail,
  getOrderDetail,
  inTransaction,
  listOrders,
  listProducts,
  placeOrder,
  setRetailerLanguage,
  toRetailer,
  withStatements,
} from "@khaacho/db";
import type { OrderDetail, Retailer, RetailerRow } from "@khaacho/db";
import type { Knex } from "knex";
import { createActor } from "xstate";
import type { Actor } from "xstate";

/** An inbound WhatsApp message, as the webhook (or the terminal simulator) hands it over. */
export interface InboundMessage {
  /** The provider's message id: the key for deduplication and for the order placed by a CONFIRM. */
  messageSid: string;
  /** E.164, e.g. +9779812345678. */
  phone: string;
  body: string;
  profileName?: string | undefined;
  numMedia: number;
  receivedAt: Date;
}

/** What to send back: replies already split at WhatsApp's length limit. */
export interface BotResult {
  replies: string[];
  /** True when this message id was handled before: the replies are the ones stored then. */
  duplicate: boolean;
}

/** The retailer-facing conversation. */
export interface Bot {
  handle(message: InboundMessage): Promise<BotResult>;
}

/** What the bot needs: the root knex (it opens its own transactions), the settings it uses, a clock. */
export interface BotOptions {
  knex: Knex;
  config: Pick<Config, "vatRateBasisPoints" | "businessTimeZone" | "draftTtlMinutes">;
  now?: () => Date;
}

type ChatActor = Actor<typeof chatMachine>;

interface Catalog {
  version: string;
  index: CatalogIndex;
  bySku: Map<string, CatalogProduct>;
}

/** What the opening statement returns: the inbound row's id (null for a repeated id), the retailer's columns (null for a stranger), the locked conversation's snapshot, the catalog's version. */
type OpeningRow = Omit<RetailerRow, "id"> & {
  inbound_id: number | null;
  id: number | null;
  snapshot: unknown;
  catalog_version: string;
};

const retailerFrom = (row: OpeningRow): Retailer => toRetailer({ ...row, id: row.id as number });

/** The replies for a message and how to record it. */
interface Outcome {
  texts: string[];
  /** The conversation row to store (none for a stranger). */
  conversation?: { phone: string; retailerId: number; snapshot: string; lastInboundAt: Date };
}

const asJson = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

function pendingFrom(parsed: ParsedMessage): ChatPendingLine[] {
  return parsed.unresolved.map((u) => {
    const line: ChatPendingLine = { text: u.text, reason: u.reason, candidates: [...u.candidates] };
    if (u.quantity !== undefined) line.quantity = u.quantity;
    if (u.candidateQuantities !== undefined) line.candidateQuantities = [...u.candidateQuantities];
    return line;
  });
}

const itemsFrom = (parsed: ParsedMessage): ChatDraftLine[] => parsed.items.map((i) => ({ sku: i.sku, quantity: i.quantity }));

// Products the parser found nothing like: reported back by name, nothing to ask about.
const unknownNames = (parsed: ParsedMessage): string[] => parsed.unresolved.filter((u) => u.candidates.length === 0).map((u) => u.text);

/**
 * The WhatsApp bot. Each message is handled in one transaction: deduplicated by its id, the
 * sender's conversation row locked (so two messages of one phone are handled one after the other,
 * on any server instance), the conversation's XState snapshot restored, the message classified and
 * fed to the machine, effects performed (placing the order, lookups), and the new snapshot and the
 * replies stored. A restart between messages therefore changes nothing.
 */
export function createBot(options: BotOptions): Bot {
  const { knex, config } = options;
  const clock = options.now ?? (() => new Date());
  let catalog: Catalog | undefined;

  // The version comes from the opening statement; products read after it are at least that new,
  // so a catalog is never labelled newer than it is (at worst, the next message reloads it).
  async function currentCatalog(trx: Knex.Transaction, version: string): Promise<Catalog> {
    if (catalog?.version === version) return catalog;
    const products = await listProducts(trx);
    const fresh: Catalog = { version, index: buildCatalogIndex(products), bySku: new Map(products.map((p) => [p.sku, p])) };
    catalog = fresh;
    return fresh;
  }

  // The persisted snapshot of a new conversation: the same for every phone.
  let initialSnapshot: string | undefined;
  const initialSnapshotJson = () => (initialSnapshot ??= JSON.stringify(createActor(chatMachine).start().getPersistedSnapshot()));

  /**
   * The opening of a message, in one statement: record the inbound row (a repeated id inserts
   * nothing, and nothing else below happens); read the retailer by phone; for a retailer, create
   * the conversation row if it is new and lock it (`on conflict do update` waits for a concurrent
   * holder and returns the newest snapshot); for a stranger, count them in `leads`; and read the
 * catalog's version.
   */
  async function open(trx: Knex.Transaction, message: InboundMessage, now: Date): Promise<OpeningRow> {
    const normalized = normalizePhone(message.phone);
    const [row] = await withStatements(trx, (statements) =>
      statements.run<OpeningRow>(
        "bot_open",
        `with ins as (
           insert into inbound_messages (message_sid, phone, body, num_media, status, received_at)
           values (?::text, ?::text, ?::text, ?::int, 'received', ?::timestamptz)
           on conflict (message_sid) do nothing
           returning id),
         r as materialized (
           select id, code, name, phone, area, language, credit_limit_paisa, status, created_at
             from retailers where phone = ?::text and exists (select 1 from ins)),
         conv as (
           insert into conversations (phone, retailer_id, snapshot)
           select r.phone, r.id, ?::jsonb from r
           on conflict (phone) do update set phone = excluded.phone
           returning snapshot),
         lead as (
           insert into leads (phone, profile_name, first_message, message_count, first_seen_at, last_seen_at)
           select ?::text, ?::text, ?::text, 1, ?::timestamptz, ?::timestamptz
            where exists (select 1 from ins) and not exists (select 1 from r)
           on conflict (phone) do update
              set message_count = leads.message_count + 1, last_seen_at = excluded.last_seen_at,
                  profile_name = coalesce(excluded.profile_name, leads.profile_name))
         select ins.id as inbound_id, r.id, r.code, r.name, r.phone, r.area, r.language, r.credit_limit_paisa, r.status, r.created_at,
                (select snapshot from conv) as snapshot, (select version from catalog_version)::text as catalog_version
           from (select 1) as one left join ins on true left join r on true`,
        [
          message.messageSid,
          message.phone,
          message.body,
          message.numMedia,
          message.receivedAt,
          normalized.ok ? normalized.phone : null,
          initialSnapshotJson(),
          message.phone,
          message.profileName ?? null,
          message.body.slice(0, 1000),
          now,
          now,
        ],
      ),
    );
    if (!row) throw new Error("the opening statement returned no row");
    return row;
  }

  async function process(trx: Knex.Transaction, message: InboundMessage): Promise<BotResult> {
    const now = clock();
    const opening = await open(trx, message, now);
    if (opening.inbound_id === null) {
      // Waits for a concurrent first delivery of the same id to commit, then answers as it did.
      const row = (await trx("inbound_messages").select("replies").where({ message_sid: message.messageSid }).forUpdate().first()) as
        | { replies: unknown }
        | undefined;
      return { replies: row?.replies == null ? [] : asJson<string[]>(row.replies), duplicate: true };
    }

    const outcome: Outcome = opening.id === null ? { texts: [say.strangerReply()] } : await converse(trx, retailerFrom(opening), opening, message, now);
    const replies = outcome.texts.flatMap((text) => splitReply(text));
    await close(trx, opening.inbound_id, replies, now, outcome.conversation);
    return { replies, duplicate: false };
  }

  /**
   * The closing of a message, in one statement: the conversation's new snapshot (for a retailer)
   * and the replies on the inbound row. It is the transaction's last statement and commits it (on
   * a server in the same round trip), so nothing may follow it.
   */
  async function close(trx: Knex.Transaction, inboundId: number, replies: string[], now: Date, conversation: Outcome["conversation"]): Promise<void> {
    await withStatements(trx, (statements) =>
      statements.runLast(
        "bot_close",
        `with conv as (
           update conversations set snapshot = ?::jsonb, retailer_id = ?::bigint, last_inbound_at = ?::timestamptz, updated_at = ?::timestamptz
            where phone = ?::text and ?::boolean)
         update inbound_messages set status = 'processed', replies = ?::jsonb, processed_at = ?::timestamptz, error = null
          where id = ?::bigint`,
        [
          conversation?.snapshot ?? null,
          conversation?.retailerId ?? null,
          conversation?.lastInboundAt ?? null,
          now,
          conversation?.phone ?? null,
          conversation !== undefined,
          JSON.stringify(replies),
          now,
          inboundId,
        ],
      ),
    );
  }

  function restore(retailer: Retailer, snapshot: unknown): ChatActor {
    let actor: ChatActor;
    try {
      actor = createActor(chatMachine, { snapshot: asJson(snapshot ?? JSON.parse(initialSnapshotJson())) }).start();
      const value = actor.getSnapshot().value;
      if (value !== "idle" && value !== "clarifying" && value !== "awaitingConfirmation") throw new Error(`conversation rests in ${String(value)}`);
    } catch {
      // A snapshot this machine cannot read (written by an incompatible version) starts a fresh conversation.
      actor = createActor(chatMachine).start();
    }
    // The retailer row is the source of truth for the language (an operator may change it).
    if (actor.getSnapshot().context.language !== retailer.language) actor.send({ type: "language", language: retailer.language });
    return actor;
  }

  async function converse(trx: Knex.Transaction, retailer: Retailer, opening: OpeningRow, message: InboundMessage, now: Date): Promise<Outcome> {
    const phone = retailer.phone;
    const actor = restore(retailer, opening.snapshot);
    const texts: string[] = [];
    const draft = actor.getSnapshot().context.draft;
    if (draft && now.getTime() - Date.parse(draft.updatedAt) > config.draftTtlMinutes * 60_000) {
      actor.send({ type: "draft.expired" });
      texts.push(say.draftExpiredReply(retailer.language, config.draftTtlMinutes));
    }
    if (message.numMedia > 0 && message.body.trim() === "") {
      texts.push(say.mediaReply(actor.getSnapshot().context.language));
    } else {
      const cat = await currentCatalog(trx, opening.catalog_version);
      const command = classifyMessage(message.body, cat.index);
      texts.push(...(await respond(trx, retailer, actor, cat, command, message, now)));
    }
    const snapshot = JSON.stringify(actor.getPersistedSnapshot());
    actor.stop();
    return { texts, conversation: { phone, retailerId: retailer.id, snapshot, lastInboundAt: message.receivedAt } };
  }

  /** The reply that says where the conversation stands: the open question or the order summary. */
  function stateReply(actor: ChatActor, cat: Catalog): string[] {
    const snapshot = actor.getSnapshot();
    const { language, draft } = snapshot.context;
    const head = draft?.pending[0];
    if (snapshot.value === "clarifying" && head) {
      return [say.clarifyReply(language, head, (sku) => cat.bySku.get(sku))];
    }
    if (snapshot.value === "awaitingConfirmation" && draft) {
      const lines = draft.lines.flatMap((l) => {
        const p = cat.bySku.get(l.sku);
        return p ? [{ sku: l.sku, name: p.name, quantity: l.quantity, unitPricePaisa: p.pricePaisa }] : [];
      });
      return [say.orderSummaryReply(language, lines, config.vatRateBasisPoints)];
    }
    return [];
  }

  async function respond(
    trx: Knex.Transaction,
    retailer: Retailer,
    actor: ChatActor,
    cat: Catalog,
    command: ChatCommand,
    message: InboundMessage,
    now: Date,
  ): Promise<string[]> {
    const snapshot = actor.getSnapshot();
    const language: ChatLanguage = snapshot.context.language;
    const draft = snapshot.context.draft;
    const at = now.toISOString();
    const state = snapshot.value as "idle" | "clarifying" | "awaitingConfirmation";

    switch (command.kind) {
      case "confirm": {
        if (state === "clarifying") return [say.answerFirstReply(language), ...stateReply(actor, cat)];
        if (!draft || !snapshot.can({ type: "confirm" })) return [say.nothingPendingReply(language)];
        actor.send({ type: "confirm" });
        const result = await placeOrder(trx, {
          retailerId: retailer.id,
          lines: draft.lines,
          idempotencyKey: message.messageSid,
          source: "whatsapp",
          actor: `retailer:${retailer.code}`,
          now,
          vatRateBasisPoints: config.vatRateBasisPoints,
          timeZone: config.businessTimeZone,
        });
        if (!result.ok) return [say.refusalReply(language, result.refusal, draft.lines)];
        actor.send({ type: "order.placed" });
        const o = result.order;
        return [say.orderConfirmedReply(language, { number: o.number, status: o.status, totalPaisa: o.totalPaisa, items: o.itemCount })];
      }
      case "cancel":
        if (!draft) return [say.nothingPendingReply(language)];
        actor.send({ type: "cancel" });
        return [say.cancelledReply(language)];
      case "help":
        return [say.helpReply(language), ...stateReply(actor, cat)];
      case "status": {
        let order: OrderDetail | undefined;
        if (command.orderNumber) {
          order = await getOrderDetail(trx, command.orderNumber, { now, timeZone: config.businessTimeZone });
          // Another retailer's order is "not found": numbers are guessable.
          if (!order || order.retailer.id !== retailer.id) return [say.orderNotFoundReply(language, command.orderNumber)];
        } else {
          order = await getLatestOrderDetail(trx, retailer.id, { now, timeZone: config.businessTimeZone });
          if (!order) return [say.noOrdersReply(language)];
        }
        return [
          say.orderStatusReply(language, {
            number: order.number,
            status: order.status,
            vendorName: order.vendor.name,
            items: order.itemCount,
            totalPaisa: order.totalPaisa,
            paidPaisa: order.paidPaisa,
            duePaisa: order.duePaisa,
            expectedDeliveryDate: order.expectedDeliveryDate,
          }),
        ];
      }
      case "orders": {
        const orders = await listOrders(trx, { retailerId: retailer.id, limit: 5 });
        if (orders.length === 0) return [say.noOrdersReply(language)];
        return [
          say.ordersListReply(
            language,
            orders.map((o) => ({ number: o.number, status: o.status, totalPaisa: o.totalPaisa, businessDate: businessDate(new Date(o.placedAt), config.businessTimeZone) })),
          ),
        ];
      }
      case "balance": {
        const credit = await getCreditSummary(trx, retailer.id, now, config.businessTimeZone);
        return [say.balanceReply(language, credit)];
      }
      case "price": {
        const products = searchCatalog(cat.index, command.query, 5).flatMap((m) => {
          const p = cat.bySku.get(m.sku);
          return p ? [p] : [];
        });
        return [say.priceReply(language, command.query, products)];
      }
      case "reorder": {
        const order = await getLatestOrderDetail(trx, retailer.id);
        if (!order) return [say.noOrdersReply(language)];
        const items = order.items.filter((i) => cat.bySku.has(i.sku)).map((i) => ({ sku: i.sku, quantity: i.quantity }));
        const gone = order.items.filter((i) => !cat.bySku.has(i.sku)).map((i) => i.name);
        const texts: string[] = draft ? [say.draftReplacedNote(language)] : [];
        if (gone.length > 0) texts.push(say.unknownProductsReply(language, gone));
        if (items.length === 0) return texts;
        actor.send({ type: "order.items", items, unresolved: [], at });
        return [...texts, ...stateReply(actor, cat)];
      }
      case "language":
        await setRetailerLanguage(trx, retailer.id, command.language);
        actor.send({ type: "language", language: command.language });
        return [say.languageReply(command.language), ...stateReply(actor, cat)];
      case "add": {
        const items = itemsFrom(command.parsed);
        const pending = pendingFrom(command.parsed).filter((p) => p.candidates.length > 0);
        const unknown = unknownNames(command.parsed);
        const texts = unknown.length > 0 ? [say.unknownProductsReply(language, unknown)] : [];
        if (items.length === 0 && pending.length === 0) return texts.length > 0 ? [...texts, ...stateReply(actor, cat)] : [say.notUnderstoodReply(language)];
        actor.send({ type: "draft.add", items, unresolved: pending, at });
        return [...texts, ...stateReply(actor, cat)];
      }
      case "remove": {
        if (!draft) return [say.nothingPendingReply(language)];
        const sku = findDraftLine(cat.index, draft.lines.map((l) => l.sku), command.text);
        if (!sku) return [say.notInDraftReply(language, command.text), ...stateReply(actor, cat)];
        actor.send({ type: "draft.remove", sku, at });
        const after = stateReply(actor, cat);
        const removed = say.removedNote(language, cat.bySku.get(sku)?.name ?? sku);
        return after.length > 0 ? [removed, ...after] : [removed, say.draftEmptyReply(language)];
      }
      case "choice": {
        if (state !== "clarifying") return [say.invalidChoiceReply(language, false), ...stateReply(actor, cat)];
        const event = { type: "choice" as const, index: command.index, quantity: command.quantity, at };
        if (!snapshot.can(event)) return [say.invalidChoiceReply(language, true), ...stateReply(actor, cat)];
        actor.send(event);
        return stateReply(actor, cat);
      }
      case "skip": {
        if (state !== "clarifying") return [say.invalidChoiceReply(language, false), ...stateReply(actor, cat)];
        actor.send({ type: "skip", at });
        const after = stateReply(actor, cat);
        return after.length > 0 ? after : [say.draftEmptyReply(language)];
      }
      case "order": {
        const items = itemsFrom(command.parsed);
        const pending = pendingFrom(command.parsed).filter((p) => p.candidates.length > 0);
        const unknown = unknownNames(command.parsed);
        const texts = unknown.length > 0 ? [say.unknownProductsReply(language, unknown)] : [];
        // Only unknown products: the waiting draft (if any) stays as it was.
        if (items.length === 0 && pending.length === 0) return [...texts, ...stateReply(actor, cat)];
        if (draft) texts.unshift(say.draftReplacedNote(language));
        actor.send({ type: "order.items", items, unresolved: pending, at });
        return [...texts, ...stateReply(actor, cat)];
      }
      case "other": {
        if (command.tooLong) return [say.tooLongReply(language)];
        if (state === "awaitingConfirmation") return [say.confirmPromptReply(language)];
        if (state === "clarifying") return [say.invalidChoiceReply(language, true), ...stateReply(actor, cat)];
        return [say.notUnderstoodReply(language)];
      }
    }
  }

  async function recordFailure(message: InboundMessage, error: unknown, replies: string[]): Promise<void> {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await knex("inbound_messages")
      .insert({
        message_sid: message.messageSid,
        phone: message.phone,
        body: message.body,
        num_media: message.numMedia,
        status: "failed",
        replies: JSON.stringify(replies),
        error: text.slice(0, 2000),
        received_at: message.receivedAt,
        processed_at: clock(),
      })
      .onConflict("message_sid")
      .merge(["status", "replies", "error", "processed_at"])
      .where("inbound_messages.status", "received");
  }

  return {
    async handle(message: InboundMessage): Promise<BotResult> {
      try {
        return await inTransaction(knex, (trx) => process(trx, message));
      } catch (error) {
        const replies = [say.errorReply("en")];
        try {
          await recordFailure(message, error, replies);
        } catch {
          // The database cannot even record the failure (it is unreachable): let the caller keep
          // the message and retry it (the webhook spools it) rather than lose it.
          throw error;
        }
        return { replies, duplicate: false };
      }
    },
  };
}
