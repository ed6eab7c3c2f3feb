import { applyRateHalfUp, assertPaisa } from "./money.js";
import type { OrderRefusal } from "./order-refusal.js";

/** Largest quantity of one product in one order line. */
export const MAX_LINE_QUANTITY = 100_000;

/** VAT in basis points by default (13%). */
export const DEFAULT_VAT_RATE_BASIS_POINTS = 1300;

/** A requested line: a SKU and how many sale units. */
export interface OrderLineRequest {
  sku: string;
  quantity: number;
}

/** A product's current sale price, as the catalog holds it. */
export interface CatalogPrice {
  productId: number;
  sku: string;
  name: string;
  unit: string;
  pricePaisa: number;
  active: boolean;
}

/** A line priced from the current catalog. */
export interface PricedLine {
  productId: number;
  sku: string;
  name: string;
  unit: string;
  quantity: number;
  unitPricePaisa: number;
  lineTotalPaisa: number;
}

/** An order's money: subtotal, VAT on the subtotal (half-up to the paisa), total. */
export interface OrderTotals {
  subtotalPaisa: number;
  vatRateBasisPoints: number;
  vatPaisa: number;
  totalPaisa: number;
}

/**
 * Checks requested lines and merges repeated SKUs (quantities add up), keeping first-seen order.
 * Refuses an empty order and quantities that are not whole numbers from 1 to MAX_LINE_QUANTITY.
 */
export function normalizeOrderLines(
  lines: readonly OrderLineRequest[],
): { ok: true; lines: OrderLineRequest[] } | { ok: false; refusal: OrderRefusal } {
  if (lines.length === 0) return { ok: false, refusal: { reason: "empty_order" } };
  const bad = lines.filter((l) => !Number.isSafeInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY);
  if (bad.length > 0) {
    return { ok: false, refusal: { reason: "invalid_quantity", lines: bad.map((l) => ({ sku: l.sku, quantity: l.quantity })), maxQuantity: MAX_LINE_QUANTITY } };
  }
  const merged = new Map<string, number>();
  for (const line of lines) {
    const sku = line.sku.trim();
    merged.set(sku, (merged.get(sku) ?? 0) + line.quantity);
  }
  const over = [...merged].filter(([, quantity]) => quantity > MAX_LINE_QUANTITY);
  if (over.length > 0) {
    return { ok: false, refusal: { reason: "invalid_quantity", lines: over.map(([sku, quantity]) => ({ sku, quantity })), maxQuantity: MAX_LINE_QUANTITY } };
  }
  return { ok: true, lines: [...merged].map(([sku, quantity]) => ({ sku, quantity })) };
}

/**
 * Subtotal, VAT and total of priced lines. VAT is charged once on the subtotal, rounded half up.
 * @example orderTotals([{ quantity: 10, unitPricePaisa: 15000 }, { quantity: 5, unitPricePaisa: 12000 }], 1300)
 * // { subtotalPaisa: 210000, vatRateBasisPoints: 1300, vatPaisa: 27300, totalPaisa: 237300 }
 */
export function orderTotals(lines: readonly { quantity: number; unitPricePaisa: number }[], vatRateBasisPoints: number): OrderTotals {
  if (!Number.isInteger(vatRateBasisPoints) || vatRateBasisPoints < 0 || vatRateBasisPoints > 9999) {
    throw new Error(`VAT rate must be 0..9999 basis points, got ${vatRateBasisPoints}`);
  }
  let subtotalPaisa = 0;
  for (const line of lines) subtotalPaisa += line.quantity * line.unitPricePaisa;
  assertPaisa(subtotalPaisa, "subtotal");
  const vatPaisa = applyRateHalfUp(subtotalPaisa, vatRateBasisPoints);
  return { subtotalPaisa, vatRateBasisPoints, vatPaisa, totalPaisa: subtotalPaisa + vatPaisa };
}

/**
 * Prices requested lines from the current catalog (never from a draft's prices). Unknown and
 * inactive SKUs are refused together.
 */
export function priceOrderLines(
  lines: readonly OrderLineRequest[],
  catalog: ReadonlyMap<string, CatalogPrice>,
  vatRateBasisPoints: number,
): { ok: true; lines: PricedLine[]; totals: OrderTotals } | { ok: false; refusal: OrderRefusal } {
  const unknown = lines.filter((l) => !catalog.get(l.sku)?.active).map((l) => l.sku);
  if (unknown.length > 0) return { ok: false, refusal: { reason: "unknown_sku", skus: unknown } };
  const priced = lines.map((line): PricedLine => {
    const product = catalog.get(line.sku) as CatalogPrice;
    return {
      productId: product.productId,
      sku: product.sku,
      name: product.name,
      unit: product.unit,
      quantity: line.quantity,
      unitPricePaisa: product.pricePaisa,
      lineTotalPaisa: line.quantity * product.pricePaisa,
    };
  });
  return { ok: true, lines: priced, totals: orderTotals(priced, vatRateBasisPoints) };
}
