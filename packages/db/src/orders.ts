import {
  businessDate,
  type CatalogPrice,
  checkCredit,
  chooseVendor,
  daysPastDue,
  DomainError,
  deliveryPostings,
  dueDateAfterDelivery,
  formatRupees,
  normalizeOrderLines,
  type OrderAction,
  type OrderRefusal,
  type OrderStatus,
  orderDates,
  orderNumberDatePart,
  type OrderTotals,
  type PricedLine,
  priceOrderLines,
  rankVendors,
  vendorRecordScore,
  transitionOrder,
  type VendorChoice,
} from "@khaacho/core";
import type { Knex } from "knex";
import { postJournal } from "./ledger.js";
import { enqueueMessage } from "./outbox.js";
import { type PlacementMemory, placementMemory, type RememberedProduct, type RememberedRetailer } from "./placement-memory.js";
import { settleRetailer, settleVendor } from "./settlement.js";
import { type Statements, withStatements } from "./statements.js";
import { type Executor, inTransaction, isRetryableTransactionError, isTransaction } from "./transaction.js";

/** Where an order came from. */
export type OrderSource = "whatsapp" | "operator" | "api" | "cli";

/** What placing an order needs. */
export interface PlaceOrderInput {
  retailerId: number;
  lines: { sku: string; quantity: number }[];
  /** The confirming message's id (or an operator's key): a repeat returns the same order. */
  idempotencyKey?: string | undefined;
  source: OrderSource;
  actor: string;
  now: Date;
  vatRateBasisPoints: number;
  timeZone: string;
}

/** The result of placing an order: the order, or a refusal with its figures. */
export type PlaceOrderResult = { ok: true; order: OrderDetail; replayed: boolean } | { ok: false; refusal: OrderRefusal };

/** A line of an order. */
export interface OrderItemDetail {
  sku: string;
  name: string;
  unit: string;
  quantity: number;
  unitPricePaisa: number;
  lineTotalPaisa: number;
}

/** A step in an order's life: who did what, when. */
export interface OrderEventDetail {
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actor: string;
  note: string | null;
  at: string;
}

/** Everything about one order, as the bot, the API and the CLI show it. */
export interface OrderDetail {
  id: number;
  number: string;
  status: OrderStatus;
  source: OrderSource;
  retailer: { id: number; code: string; name: string; phone: string };
  vendor: { id: number; code: string; name: string };
  items: OrderItemDetail[];
  itemCount: number;
  subtotalPaisa: number;
  vatRateBasisPoints: number;
  vatPaisa: number;
  totalPaisa: number;
  paidPaisa: number;
  /** What is still to be paid (0 for cancelled and rejected orders). */
  duePaisa: number;
  /** What the vendor is owed for the items, and how much of it Khaacho has settled. */
  vendorCostPaisa: number;
  vendorPaidPaisa: number;
  placedAt: string;
  businessDate: string;
  expectedDeliveryDate: string | null;
  dueDate: string | null;
  deliveredAt: string | null;
  daysPastDue: number;
  events: OrderEventDetail[];
}

/** One row of an order list. */
export interface OrderSummary {
  id: number;
  number: string;
  status: OrderStatus;
  retailer: { id: number; code: string; name: string };
  vendor: { code: string; name: string };
  itemCount: number;
  totalPaisa: number;
  paidPaisa: number;
  duePaisa: number;
  placedAt: string;
  expectedDeliveryDate: string | null;
  dueDate: string | null;
  /** Whole Kathmandu days since the due date while money is due (as of the list's `asOf`), else 0. */
  daysPastDue: number;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
const dueOf = (status: OrderStatus, total: number, paid: number) => (status === "CANCELLED" || status === "REJECTED" ? 0 : total - paid);

function isUniqueViolation(error: unknown, column: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown };
  if (e?.code !== "23505") return false;
  return [e.constraint, e.detail, e.message].some((text) => typeof text === "string" && text.includes(column));
}

interface RetailerReadRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  status: string;
  credit_limit_paisa: number;
  open_holds_paisa: number;
  receivable_paisa: number;
  existing_number: string | null;
  day_sequence: number | null;
  catalog_version: number;
}

interface OfferRow {
  offer_id: number;
  vendor_id: number;
  product_id: number;
  cost_paisa: number;
  stock: number;
  vendor_code: string;
  vendor_name: string;
  vendor_phone: string;
  vendor_delivered: number;
  vendor_rejected: number;
  sku: string;
  product_name: string;
  unit: string;
  price_paisa: number;
  active: boolean;
}

// The retailer's columns, with one offer's columns (all null when there is none).
type ReadRow = RetailerReadRow & { [K in keyof OfferRow]: OfferRow[K] | null };

// How many times a placement reads and decides again after its write found that another placement
// took the stock or the credit it counted on. Each conflict means something really changed, so a
// placement that keeps losing is rare; it gets a short jittered pause after the first few.
const CONFLICT_ATTEMPTS = 25; // attempts in all

/**
 * Places an order atomically: re-prices every line from current prices, chooses one vendor that
 * can supply all of it, reserves the stock, checks credit (available = limit - (receivable + open
 * holds)), writes the order, items, event, credit hold and the vendor's new-order message, and
 * numbers it `ORD` + yyMMdd + the day's sequence. Refusals are values. With an idempotency key a
 * repeat returns the first order (`replayed: true`), in sequence or concurrently. Given a
 * transaction, it runs inside it.
 *
 * Usually it takes one round trip: from products, offers and retailer names that earlier
 * placements read (never stock or credit), it prices the order and ranks the vendors, and one call
 * of `khaacho_place_cached` checks that those are unchanged, takes the first ranked vendor that
 * has the stock, and writes through `khaacho_place_order`. Otherwise (nothing remembered yet,
 * something changed, or the answer may be a refusal or follows a conflict) it decides from one
 * unlocked read and then writes everything in one call of `khaacho_place_order` (a database
 * function). Either call is its own transaction (on a server, outside a caller's transaction),
 * and the write re-checks on the newest row versions what the decision counted on:
 * the retailer still active with the credit available, each chosen offer still with the stock and
 * at the cost read. It writes the order's rows first and then locks the retailer row, then the
 * chosen offers one by one in id order, so it holds them only for those updates and its commit.
 * When a check fails the call raises KH409 and undoes itself whole, and placement reads and
 * decides again, so a refusal always reflects what was there; deadlocks and serialization
 * failures are retried too.
 */
export async function placeOrder(executor: Executor, input: PlaceOrderInput): Promise<PlaceOrderResult> {
  const normalized = normalizeOrderLines(input.lines);
  if (!normalized.ok) return normalized;
  // Inside a caller's transaction a failed statement has aborted it: its owner retries the whole
  // unit (a conflict and a key placed concurrently are retryable errors), so nothing is retried here.
  const own = !isTransaction(executor);
  const memory = placementMemory(executor);
  let retries = 0;
  let sequenceAttempts = 0;
  // After a conflict, placement reads afresh: its retries decide from what is there now.
  let fromMemory = true;
  for (;;) {
    try {
      const placed = await withStatements(executor, (statements) => placeOnce(statements, memory, input, normalized.lines, fromMemory));
      if ("missingDaySequence" in placed) {
        // The first order of a business day: create the day's sequence, then place again.
        if (++sequenceAttempts > 3) throw new Error(`the order sequence ${daySequenceName(placed.missingDaySequence)} could not be created`);
        await createDaySequence(executor, placed.missingDaySequence);
        continue;
      }
      if (!("replayOf" in placed)) return placed;
      // The key was used before: answer with that order, read where it is visible.
      const order = await getOrderDetail(executor, placed.replayOf, { now: input.now, timeZone: input.timeZone });
      if (order) return replayOf(order, input, normalized.lines);
      throw new Error(`order ${placed.replayOf} for idempotency key ${input.idempotencyKey} vanished`);
    } catch (error) {
      if (!own) throw error;
      // The same key committed by a concurrent placement after our read: answer with its order.
      if (input.idempotencyKey !== undefined && isUniqueViolation(error, "idempotency_key")) {
        const order = await findOrderByKey(executor, input.idempotencyKey, input.now, input.timeZone);
        if (order) return replayOf(order, input, normalized.lines);
      }
      // A conflict (KH409: another placement took the stock or credit), a deadlock or a serialization failure.
      if (isRetryableTransactionError(error) && ++retries < CONFLICT_ATTEMPTS) {
        fromMemory = false;
        if (retries > 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20, 2 ** (retries - 3))));
        continue;
      }
      throw error;
    }
  }
}

/**
 * The answer to a key used before: its order, when the request is the one that placed it (the
 * same retailer, the same products in the same quantities). A key reused for another order is a
 * mistake at the caller's end, refused rather than answered with someone else's order.
 */
function replayOf(order: OrderDetail, input: PlaceOrderInput, lines: readonly { sku: string; quantity: number }[]): PlaceOrderResult {
  const asked = new Map(lines.map((l) => [l.sku, l.quantity]));
  const same =
    order.retailer.id === input.retailerId && order.items.length === asked.size && order.items.every((item) => asked.get(item.sku) === item.quantity);
  if (!same) {
    throw new DomainError("conflict", `idempotency key ${input.idempotencyKey} was already used for order ${order.number}, which is not this order`, {
      idempotencyKey: input.idempotencyKey,
      order: order.number,
    });
  }
  return { ok: true, order, replayed: true };
}

/**
 * The sequence that numbers a business day's orders. Numbers are unique and, in practice, dense:
 * a gap is left only when a write fails after drawing one (another placement took the stock or
 * the credit at the same moment, a key placed concurrently, a caller's transaction rolled back).
 */
function daySequenceName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`business date must be YYYY-MM-DD, got ${day}`);
  return `order_seq_${day.replaceAll("-", "")}`;
}

// Starts after any order already numbered for that day, so numbers never repeat.
async function createDaySequence(executor: Executor, day: string): Promise<void> {
  const name = daySequenceName(day);
  const last = (
    await executor.raw<{ rows: { last: number | null }[] }>(`select max(substr(number, 10)::bigint) as last from orders where number > ? and number < ?`,
      [`ORD${orderNumberDatePart(day)}`, `ORD${orderNumberDatePart(day)}:`],)
  ).rows[0]?.last;
  try {
    await inTransaction(executor, (trx) => trx.raw(`create sequence if not exists ${name} as bigint minvalue 1 start with ${(last ?? 0) + 1}`));
  } catch (error) {
    // Another placement created it at the same moment.
    const code = (error as { code?: unknown })?.code;
    if (code !== "23505" && code !== "42P07") throw error;
  }
}

async function findOrderByKey(executor: Executor, key: string, now: Date, timeZone: string): Promise<OrderDetail | undefined> {
  const row = (await executor.raw<{ rows: { number: string }[] }>(`select number from orders where idempotency_key = ?`, [key])).rows[0];
  return row ? getOrderDetail(executor, row.number, { now, timeZone }) : undefined;
}

type PlaceOnceResult = PlaceOrderResult | { replayOf: string } | { missingDaySequence: string /* the business day */ };

// What one placement decided, whichever way it was sent: the priced lines, the totals, the dates
// and the vendor's message.
interface Decision {
  day: string;
  nowIso: string;
  dates: { expectedDeliveryDate: string; dueDate: string };
  totals: OrderTotals;
  lines: PricedLine[];
  body: string;
}

function decide(input: PlaceOrderInput, retailer: RememberedRetailer, priced: { lines: PricedLine[]; totals: OrderTotals }, day: string): Decision {
  const dates = orderDates(day);
  const body = [
    `New order #{order} from ${retailer.name} (${retailer.code})`,
    ...priced.lines.map((l) => `${l.quantity} x ${l.name} (${l.sku})`),
    `Deliver by ${dates.expectedDeliveryDate}. Total ${formatRupees(priced.totals.totalPaisa)}.`,
  ].join("\n");
  return { day, nowIso: input.now.toISOString(), dates, totals: priced.totals, lines: priced.lines, body };
}

// The items as the write stores them, with one vendor's costs.
function itemsFor(decision: Decision, vendor: VendorChoice) {
  return decision.lines.map((line, i) => {
    const supply = vendor.lines[i];
    if (!supply || supply.productId !== line.productId) throw new Error("vendor choice lines out of step with priced lines");
    return {
      product_id: line.productId,
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      quantity: line.quantity,
      unit_price_paisa: line.unitPricePaisa,
      unit_cost_paisa: supply.unitCostPaisa,
      line_total_paisa: line.lineTotalPaisa,
    };
  });
}

const MESSAGE_KIND = "vendor.order_placed";
const MESSAGE_DEDUPE_KEY = "order.placed:{order}";

function placedOrder(input: PlaceOrderInput, row: { id: number; number: string }, retailer: RememberedRetailer, vendor: VendorChoice, decision: Decision): PlaceOrderResult {
  const { totals, nowIso, dates } = decision;
  return {
    ok: true,
    replayed: false,
    order: {
      id: row.id,
      number: row.number,
      status: "PENDING",
      source: input.source,
      retailer: { id: retailer.id, code: retailer.code, name: retailer.name, phone: retailer.phone },
      vendor: { id: vendor.vendorId, code: vendor.vendorCode, name: vendor.vendorName },
      items: decision.lines.map((l) => ({ sku: l.sku, name: l.name, unit: l.unit, quantity: l.quantity, unitPricePaisa: l.unitPricePaisa, lineTotalPaisa: l.lineTotalPaisa })),
      itemCount: decision.lines.length,
      subtotalPaisa: totals.subtotalPaisa,
      vatRateBasisPoints: totals.vatRateBasisPoints,
      vatPaisa: totals.vatPaisa,
      totalPaisa: totals.totalPaisa,
      paidPaisa: 0,
      duePaisa: totals.totalPaisa,
      vendorCostPaisa: vendor.costPaisa,
      vendorPaidPaisa: 0,
      placedAt: nowIso,
      businessDate: decision.day,
      expectedDeliveryDate: dates.expectedDeliveryDate,
      dueDate: dates.dueDate,
      deliveredAt: null,
      daysPastDue: 0,
      events: [{ type: "order.placed", fromStatus: null, toStatus: "PENDING", actor: input.actor, note: `via ${input.source}`, at: nowIso }],
    },
  };
}

/**
 * Places from what earlier reads left in memory, in one round trip: prices the lines and ranks
 * the vendors here, and `khaacho_place_cached` checks that the catalog version, the prices and the
 * retailer's names are still the ones used, takes the first ranked vendor with the stock, and
 * writes. Undefined when memory lacks something or the database answers that placement should
 * read afresh (something changed, or the answer may be a refusal, which is given from a fresh read).
 */
async function placeFromMemory(
  statements: Statements,
  memory: PlacementMemory,
  input: PlaceOrderInput,
  lines: { sku: string; quantity: number }[],
): Promise<PlaceOnceResult | undefined> {
  const retailer = memory.retailers.get(input.retailerId);
  const version = memory.catalogVersion;
  if (!retailer || version === undefined) return undefined;
  const products: RememberedProduct[] = [];
  for (const line of lines) {
    const product = memory.product(line.sku);
    if (!product) return undefined;
    products.push(product);
  }
  const priced = priceOrderLines(lines, new Map(products.map((p) => [p.price.sku, p.price])), input.vatRateBasisPoints);
  if (!priced.ok) return undefined;
  const candidates = rankVendors(priced.lines, products.flatMap((p) => p.offers));
  if (candidates.length === 0) return undefined;
  const phones = new Map(products.flatMap((p) => p.offers.map((o) => [o.vendorId, o.vendorPhone] as const)));
  const decision = decide(input, retailer, priced, businessDate(input.now, input.timeZone));
  const rows = await statements.run<{ outcome: string; candidate: number | null; id: number | null; number: string | null }>(
    "place_cached",
    `select outcome, candidate, order_id as id, order_number as number
       from khaacho_place_cached(?::bigint, ?::bigint, ?::text, ?::text, ?::text, ?::bigint[], ?::bigint[], ?::int[],
                                 ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text, ?::text,
                                 ?::text, ?::bigint, ?::int, ?::bigint, ?::bigint,
                                 ?::text, ?::date, ?::date, ?::date, ?::timestamptz, ?::jsonb, ?::text, ?::text, ?::text, ?::text, ?::text)`,
    [
      version,
      retailer.id,
      retailer.code,
      retailer.name,
      retailer.phone,
      decision.lines.map((l) => l.productId),
      decision.lines.map((l) => l.unitPricePaisa),
      decision.lines.map((l) => l.quantity),
      candidates.map((c) => c.vendorId),
      candidates.flatMap((c) => c.lines.map((l) => l.offerId)),
      candidates.flatMap((c) => c.lines.map((l) => l.unitCostPaisa)),
      candidates.map((c) => c.costPaisa),
      candidates.map((c) => phones.get(c.vendorId) ?? ""),
      daySequenceName(decision.day),
      orderNumberDatePart(decision.day),
      input.source,
      decision.totals.subtotalPaisa,
      decision.totals.vatRateBasisPoints,
      decision.totals.vatPaisa,
      decision.totals.totalPaisa,
      input.idempotencyKey ?? null,
      decision.day,
      decision.dates.expectedDeliveryDate,
      decision.dates.dueDate,
      decision.nowIso,
      JSON.stringify(candidates.map((c) => itemsFor(decision, c))),
      input.actor,
      `via ${input.source}`,
      MESSAGE_KIND,
      decision.body,
      MESSAGE_DEDUPE_KEY,
    ],
  );
  const row = rows[0];
  switch (row?.outcome) {
    case "placed": {
      const vendor = candidates[(row.candidate ?? 0) - 1];
      if (!vendor || row.id === null || row.number === null) throw new Error("khaacho_place_cached placed an order but did not say which");
      return placedOrder(input, { id: row.id, number: row.number }, retailer, vendor, decision);
    }
    case "replay":
      if (row.number === null) throw new Error("khaacho_place_cached answered a replay without its order number");
      return { replayOf: row.number };
    case "catalog_changed":
      memory.forgetCatalog();
      return undefined;
    case "retailer_changed":
      memory.retailers.delete(retailer.id);
      return undefined;
    case "recheck":
      return undefined;
    default:
      throw new Error(`khaacho_place_cached answered ${String(row?.outcome)}`);
  }
}

async function placeOnce(
  statements: Statements,
  memory: PlacementMemory,
  input: PlaceOrderInput,
  lines: { sku: string; quantity: number }[],
  fromMemory: boolean,
): Promise<PlaceOnceResult> {
  if (fromMemory) {
    const placed = await placeFromMemory(statements, memory, input, lines);
    if (placed) return placed;
  }
  // One unlocked read: the retailer's credit figures and status, any order already placed under
  // this key, the day's order sequence (its oid, so the write need not look the name up, or null
  // before the day's first order), the catalog version, and every active vendor's offer for these
  // products with the product's price.
  const day = businessDate(input.now, input.timeZone);
  const read = await statements.run<ReadRow>(
    "place_read",
    `select r.id, r.code, r.name, r.phone, r.status, r.credit_limit_paisa, r.open_holds_paisa, r.receivable_paisa,
            (select number from orders where idempotency_key = ?) as existing_number,
            to_regclass(?::text)::oid::bigint as day_sequence,
            (select version from catalog_version) as catalog_version,
            o.offer_id, o.vendor_id, o.product_id, o.cost_paisa, o.stock, o.vendor_code, o.vendor_name, o.vendor_phone, o.vendor_delivered, o.vendor_rejected,
            o.sku, o.product_name, o.unit, o.price_paisa, o.active
       from retailers r
       left join (
         select vp.id as offer_id, vp.vendor_id, vp.product_id, vp.cost_paisa, vp.stock,
                v.code as vendor_code, v.name as vendor_name, v.phone as vendor_phone,
                v.delivered_orders as vendor_delivered, v.rejected_orders as vendor_rejected,
                p.sku, p.name as product_name, p.unit, p.price_paisa, p.active
           from unnest(?::text[]) as wanted(sku)
           join products p on p.sku = wanted.sku
           join vendor_products vp on vp.product_id = p.id
           join vendors v on v.id = vp.vendor_id
          where v.status = 'ACTIVE') o on true
      where r.id = ?
      order by o.offer_id`,
    [input.idempotencyKey ?? null, daySequenceName(day), lines.map((l) => l.sku), input.retailerId],
  );
  const retailer = read[0];
  if (!retailer) throw new DomainError("not_found", `no retailer with id ${input.retailerId}`, { retailerId: input.retailerId });
  if (retailer.existing_number !== null) return { replayOf: retailer.existing_number };
  if (retailer.day_sequence === null) return { missingDaySequence: day };
  const daySequence = retailer.day_sequence;
  if (retailer.status !== "ACTIVE") return { ok: false, refusal: { reason: "retailer_suspended", status: retailer.status } };
  const skus = lines.map((l) => l.sku);
  const offers = read.filter((o): o is ReadRow & OfferRow => o.offer_id !== null);

  const remembered = new Map<string, RememberedProduct>();
  for (const o of offers) {
    let product = remembered.get(o.sku);
    if (!product) remembered.set(o.sku, (product = { price: { productId: o.product_id, sku: o.sku, name: o.product_name, unit: o.unit, pricePaisa: o.price_paisa, active: o.active }, offers: [] }));
    product.offers.push({
      offerId: o.offer_id,
      vendorId: o.vendor_id,
      vendorCode: o.vendor_code,
      vendorName: o.vendor_name,
      vendorPhone: o.vendor_phone,
      productId: o.product_id,
      costPaisa: o.cost_paisa,
      stock: o.stock,
      recordScore: vendorRecordScore(o.vendor_delivered, o.vendor_rejected),
    });
  }
  const names: RememberedRetailer = { id: retailer.id, code: retailer.code, name: retailer.name, phone: retailer.phone };
  memory.remember(retailer.catalog_version, names, remembered.values());

  const catalog = new Map<string, CatalogPrice>();
  for (const product of remembered.values()) catalog.set(product.price.sku, product.price);
  const missing = skus.filter((sku) => !catalog.has(sku));
  if (missing.length > 0) {
    // Products without an active offer are known (and out of stock), not unknown.
    const products = await statements.run<{ id: number; sku: string; name: string; unit: string; price_paisa: number; active: boolean }>(
      undefined,
      `select id, sku, name, unit, price_paisa, active from products where sku in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(missing)],
    );
    for (const p of products) catalog.set(p.sku, { productId: p.id, sku: p.sku, name: p.name, unit: p.unit, pricePaisa: p.price_paisa, active: p.active });
  }
  const priced = priceOrderLines(lines, catalog, input.vatRateBasisPoints);
  if (!priced.ok) return priced;

  const vendorOffers = [...remembered.values()].flatMap((p) => p.offers);
  const chosen = chooseVendor(priced.lines, vendorOffers);
  if (!chosen.ok) return chosen;
  const vendor = chosen.choice;
  const vendorPhone = vendorOffers.find((o) => o.vendorId === vendor.vendorId)?.vendorPhone ?? "";

  const credit = checkCredit({ limitPaisa: retailer.credit_limit_paisa, receivableBalancePaisa: retailer.receivable_paisa, holdsPaisa: retailer.open_holds_paisa }, priced.totals.totalPaisa);
  if (!credit.ok) return credit;

  const decision = decide(input, names, priced, day);
  const { totals } = decision;
  // One call writes everything, as its own transaction, and re-checks the decision on the newest
  // row versions (`khaacho_place_order`, migrations 20261202020000 and 20261203000000): the
  // retailer row still active with the credit available, then each chosen offer, in id order,
  // still the vendor's offer of that line's product with the stock at the cost read. A failed
  // check raises KH409 and undoes the call whole. The day's number comes from a sequence, not a
  // counter row: a counter row would be one lock every placement shares until it commits.
  const written = await statements.run<{ id: number; number: string }>(
    "place_write",
    `select order_id as id, order_number as number
       from khaacho_place_order(?::bigint, ?::bigint, ?::bigint[], ?::int[], ?::bigint[], ?::regclass, ?::text,
                                ?::bigint, ?::text, ?::bigint, ?::int, ?::bigint, ?::bigint,
                                ?::text, ?::date, ?::date, ?::date, ?::timestamptz, ?::jsonb, ?::text, ?::text,
                                ?::text, ?::text, ?::text, ?::text)`,
    [
      retailer.id,
      totals.totalPaisa,
      vendor.lines.map((l) => l.offerId),
      vendor.lines.map((l) => l.quantity),
      vendor.lines.map((l) => l.unitCostPaisa),
      String(daySequence),
      orderNumberDatePart(day),
      vendor.vendorId,
      input.source,
      totals.subtotalPaisa,
      totals.vatRateBasisPoints,
      totals.vatPaisa,
      vendor.costPaisa,
      input.idempotencyKey ?? null,
      day,
      decision.dates.expectedDeliveryDate,
      decision.dates.dueDate,
      decision.nowIso,
      JSON.stringify(itemsFor(decision, vendor)),
      input.actor,
      `via ${input.source}`,
      vendorPhone,
      MESSAGE_KIND,
      decision.body,
      MESSAGE_DEDUPE_KEY,
    ],
  );
  const row = written[0];
  if (!row) throw new Error("order placement returned no row");
  return placedOrder(input, row, names, vendor, decision);
}

interface OrderRow {
  id: number;
  number: string;
  status: OrderStatus;
  source: OrderSource;
  retailer_id: number;
  retailer_code: string;
  retailer_name: string;
  retailer_phone: string;
  vendor_id: number;
  vendor_code: string;
  vendor_name: string;
  subtotal_paisa: number;
  vat_rate_bp: number;
  vat_paisa: number;
  total_paisa: number;
  paid_paisa: number;
  cost_paisa: number;
  vendor_paid_paisa: number;
  placed_at: Date | string;
  business_date: string;
  expected_delivery_date: string | null;
  due_date: string | null;
  delivered_at: Date | string | null;
  item_count: number;
}

const ORDER_COLUMNS = `o.id, o.number, o.status, o.source, o.retailer_id, r.code as retailer_code, r.name as retailer_name, r.phone as retailer_phone,
  o.vendor_id, v.code as vendor_code, v.name as vendor_name, o.subtotal_paisa, o.vat_rate_bp, o.vat_paisa, o.total_paisa, o.paid_paisa,
  o.cost_paisa, o.vendor_paid_paisa, o.placed_at, o.business_date, o.expected_delivery_date, o.due_date, o.delivered_at,
  (select count(*) from order_items i where i.order_id = o.id)::int as item_count`;
const ORDER_FROM = `orders o join retailers r on r.id = o.retailer_id join vendors v on v.id = o.vendor_id`;

/** When "today" is for days-past-due figures; defaults to the current time in Asia/Kathmandu. */
export interface AsOf {
  now?: Date;
  timeZone?: string;
}

interface OrderDetailRow extends OrderRow {
  items: unknown;
  events: unknown;
}

interface ItemJson {
  sku: string;
  name: string;
  unit: string;
  quantity: number;
  unit_price_paisa: number;
  line_total_paisa: number;
}

interface EventJson {
  type: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  actor: string;
  note: string | null;
  created_at: string;
}

// An order's items and events ride along as JSON arrays, so a whole order is one statement.
const ORDER_DETAIL_COLUMNS = `${ORDER_COLUMNS},
  (select coalesce(json_agg(json_build_object('sku', i.sku, 'name', i.name, 'unit', i.unit, 'quantity', i.quantity,
                                              'unit_price_paisa', i.unit_price_paisa, 'line_total_paisa', i.line_total_paisa) order by i.id), '[]'::json)
     from order_items i where i.order_id = o.id) as items,
  (select coalesce(json_agg(json_build_object('type', e.type, 'from_status', e.from_status, 'to_status', e.to_status, 'actor', e.actor,
                                              'note', e.note, 'created_at', e.created_at) order by e.id), '[]'::json)
     from order_events e where e.order_id = o.id) as events`;

const fromJson = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

function toOrderDetail(row: OrderDetailRow, asOf: AsOf): OrderDetail {
  const today = businessDate(asOf.now ?? new Date(), asOf.timeZone);
  const duePaisa = dueOf(row.status, row.total_paisa, row.paid_paisa);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    source: row.source,
    retailer: { id: row.retailer_id, code: row.retailer_code, name: row.retailer_name, phone: row.retailer_phone },
    vendor: { id: row.vendor_id, code: row.vendor_code, name: row.vendor_name },
    items: fromJson<ItemJson[]>(row.items).map((i) => ({ sku: i.sku, name: i.name, unit: i.unit, quantity: i.quantity, unitPricePaisa: i.unit_price_paisa, lineTotalPaisa: i.line_total_paisa })),
    itemCount: row.item_count,
    subtotalPaisa: row.subtotal_paisa,
    vatRateBasisPoints: row.vat_rate_bp,
    vatPaisa: row.vat_paisa,
    totalPaisa: row.total_paisa,
    paidPaisa: row.paid_paisa,
    duePaisa,
    vendorCostPaisa: row.cost_paisa,
    vendorPaidPaisa: row.vendor_paid_paisa,
    placedAt: iso(row.placed_at) as string,
    businessDate: row.business_date,
    expectedDeliveryDate: row.expected_delivery_date,
    dueDate: row.due_date,
    deliveredAt: iso(row.delivered_at),
    daysPastDue: row.status === "DELIVERED" ? daysPastDue({ dueDate: row.due_date, duePaisa, today }) : 0,
    events: fromJson<EventJson[]>(row.events).map((e) => ({ type: e.type, fromStatus: e.from_status, toStatus: e.to_status, actor: e.actor, note: e.note, at: iso(e.created_at) as string })),
  };
}

/**
 * One order with its retailer, vendor, items, money (paid, due, days past due as of `asOf`) and
 * events, or undefined when there is no order with that number.
 */
export async function getOrderDetail(executor: Executor, number: string, asOf: AsOf = {}): Promise<OrderDetail | undefined> {
  const [row] = await withStatements(executor, (s) =>
    s.run<OrderDetailRow>("order_detail", `select ${ORDER_DETAIL_COLUMNS} from ${ORDER_FROM} where o.number = ?::text`, [number.trim().toUpperCase()]),
  );
  return row ? toOrderDetail(row, asOf) : undefined;
}

/** A retailer's latest order (as `listOrders` orders them: newest first), in full, or undefined when it has none. */
export async function getLatestOrderDetail(executor: Executor, retailerId: number, asOf: AsOf = {}): Promise<OrderDetail | undefined> {
  const [row] = await withStatements(executor, (s) =>
    s.run<OrderDetailRow>(
      "order_detail_latest",
      `select ${ORDER_DETAIL_COLUMNS} from ${ORDER_FROM} where o.retailer_id = ?::bigint order by o.placed_at desc, o.id desc limit 1`,
      [retailerId],
    ),
  );
  return row ? toOrderDetail(row, asOf) : undefined;
}

/** Which orders to list. */
export interface OrderFilter {
  retailerId?: number | undefined;
  vendorId?: number | undefined;
  status?: OrderStatus | undefined;
  /** Default 50, at most 1000. */
  limit?: number | undefined;
}

/** Orders, newest first, with days past due as of `asOf`. */
export async function listOrders(executor: Executor, filter: OrderFilter = {}, asOf: AsOf = {}): Promise<OrderSummary[]> {
  const today = businessDate(asOf.now ?? new Date(), asOf.timeZone);
  const where: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  if (filter.retailerId !== undefined) {
    where.push("o.retailer_id = ?");
    bindings.push(filter.retailerId);
  }
  if (filter.vendorId !== undefined) {
    where.push("o.vendor_id = ?");
    bindings.push(filter.vendorId);
  }
  if (filter.status !== undefined) {
    where.push("o.status = ?");
    bindings.push(filter.status);
  }
  const limit = Math.max(1, Math.min(1000, Math.trunc(filter.limit ?? 50)));
  const rows = await executor.raw<{ rows: OrderRow[] }>(
    `select ${ORDER_COLUMNS} from ${ORDER_FROM} ${where.length ? `where ${where.join(" and ")}` : ""} order by o.placed_at desc, o.id desc limit ${limit}`,
    bindings,
  );
  return rows.rows.map((r) => {
    const duePaisa = dueOf(r.status, r.total_paisa, r.paid_paisa);
    return {
      id: r.id,
      number: r.number,
      status: r.status,
      retailer: { id: r.retailer_id, code: r.retailer_code, name: r.retailer_name },
      vendor: { code: r.vendor_code, name: r.vendor_name },
      itemCount: r.item_count,
      totalPaisa: r.total_paisa,
      paidPaisa: r.paid_paisa,
      duePaisa,
      placedAt: iso(r.placed_at) as string,
      expectedDeliveryDate: r.expected_delivery_date,
      dueDate: r.due_date,
      daysPastDue: r.status === "DELIVERED" ? daysPastDue({ dueDate: r.due_date, duePaisa, today }) : 0,
    };
  });
}

/** A status change. */
export interface ChangeOrderStatusInput {
  number: string;
  action: OrderAction;
  actor: string;
  now: Date;
  note?: string | undefined;
  timeZone: string;
}

const EVENT_TYPE: Record<OrderAction, string> = {
  accept: "order.accepted",
  reject: "order.rejected",
  dispatch: "order.dispatched",
  deliver: "order.delivered",
  cancel: "order.cancelled",
};

const RETAILER_NOTICE: Record<OrderAction, string> = {
  accept: "has been accepted by the vendor",
  reject: "was rejected by the vendor; nothing is charged",
  dispatch: "is on its way",
  deliver: "has been delivered",
  cancel: "has been cancelled; nothing is charged",
};

/**
 * Moves an order through its lifecycle, recording an event with actor and time and queueing a
 * message to the retailer. Reject and cancel return the reserved stock and release the credit
 * hold; dispatch takes the reserved stock out; delivery turns the hold into ledger postings
 * (receivable / payable / margin / VAT), sets the due date CREDIT_TERM_DAYS after the delivery
 * day and applies any credit balance to the order. A wrong state throws `invalid_transition`.
 */
export async function changeOrderStatus(executor: Executor, input: ChangeOrderStatusInput): Promise<OrderDetail> {
  const number = input.number.trim().toUpperCase();
  const found = (await executor.raw<{ rows: { retailer_id: number }[] }>(`select retailer_id from orders where number = ?`, [number])).rows[0];
  if (!found) throw new DomainError("not_found", `no order ${number}`, { number });
  return inTransaction(executor, async (trx) => {
    const retailer = (await trx.raw<{ rows: { id: number; phone: string }[] }>(`select id, phone from retailers where id = ? for update`, [found.retailer_id])).rows[0];
    const order = (
      await trx.raw<{ rows: { id: number; status: OrderStatus; vendor_id: number; retailer_id: number; subtotal_paisa: number; vat_paisa: number; cost_paisa: number; total_paisa: number }[] }>(
        `select id, status, vendor_id, retailer_id, subtotal_paisa, vat_paisa, cost_paisa, total_paisa from orders where number = ? for update`,
        [number],
      )
    ).rows[0];
    if (!retailer || !order) throw new DomainError("not_found", `no order ${number}`, { number });
    const to = transitionOrder(order.status, input.action, number);
    const nowIso = input.now.toISOString();
    const day = businessDate(input.now, input.timeZone);

    if (input.action === "reject" || input.action === "cancel" || input.action === "dispatch") {
      const back = input.action === "dispatch" ? 0 : 1;
      await trx.raw(
        `with items as (
           select vp.id, i.quantity from order_items i join vendor_products vp on vp.product_id = i.product_id and vp.vendor_id = ?
            where i.order_id = ? order by vp.id for update of vp)
         update vendor_products vp set stock = vp.stock + items.quantity * ?, reserved = vp.reserved - items.quantity, updated_at = ?
           from items where vp.id = items.id`,
        [order.vendor_id, order.id, back, nowIso],
      );
    }
    if (input.action === "reject" || input.action === "cancel" || input.action === "deliver") {
      await trx.raw(
        `with h as (
           update credit_holds set status = ?, closed_at = ? where order_id = ? and status = 'OPEN' returning retailer_id, amount_paisa)
         update retailers r set open_holds_paisa = r.open_holds_paisa - h.amount_paisa from h where r.id = h.retailer_id`,
        [input.action === "deliver" ? "CONVERTED" : "RELEASED", nowIso, order.id],
      );
    }
    if (input.action === "deliver") {
      const postings = deliveryPostings({ retailerId: order.retailer_id, vendorId: order.vendor_id, subtotalPaisa: order.subtotal_paisa, vatPaisa: order.vat_paisa, costPaisa: order.cost_paisa });
      if (postings.length > 0) {
        await postJournal(trx, { kind: "order_delivery", description: `Order ${number} delivered`, orderId: order.id, businessDate: day, createdAt: input.now, postings });
      }
    }
    await trx.raw(
      `with o as (
         update orders set status = ?, updated_at = ?::timestamptz,
                delivered_at = case when ? then ?::timestamptz else delivered_at end,
                due_date = case when ? then ?::date else due_date end
          where id = ? returning id)
       insert into order_events (order_id, type, from_status, to_status, actor, note, created_at)
       select o.id, ?, ?, ?, ?, ?, ?::timestamptz from o`,
      [
        to,
        nowIso,
        input.action === "deliver",
        nowIso,
        input.action === "deliver",
        dueDateAfterDelivery(day),
        order.id,
        EVENT_TYPE[input.action],
        order.status,
        to,
        input.actor,
        input.note ?? null,
        nowIso,
      ],
    );
    if (input.action === "deliver" || input.action === "reject") {
      // The vendor's record (placement breaks ties on cost by it).
      await trx.raw(`update vendors set delivered_orders = delivered_orders + ?, rejected_orders = rejected_orders + ? where id = ?`, [
        input.action === "deliver" ? 1 : 0,
        input.action === "reject" ? 1 : 0,
        order.vendor_id,
      ]);
    }
    if (input.action === "deliver") {
      await settleRetailer(trx, order.retailer_id, input.now);
      // The vendors update above holds the vendor's row, as recording a settlement does.
      await settleVendor(trx, order.vendor_id, input.now);
    }
    await enqueueMessage(trx, {
      toPhone: retailer.phone,
      kind: `order.${to.toLowerCase()}`,
      body: `Order #${number} ${RETAILER_NOTICE[input.action]}.${input.note ? ` ${input.note}` : ""}\nStatus: ${to}`,
      dedupeKey: `${EVENT_TYPE[input.action]}:${number}`,
    });
    const detail = await getOrderDetail(trx, number, { now: input.now, timeZone: input.timeZone });
    if (!detail) throw new Error(`order ${number} vanished inside its own transaction`);
    return detail;
  });
}
