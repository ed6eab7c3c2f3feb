import { formatRupees } from "./money.js";

/** A line the chosen vendors cannot fill: what was asked for and what can be had. */
export interface ShortLine {
  sku: string;
  name: string;
  requested: number;
  available: number;
}

/**
 * Why an order was not placed, with the figures a reply needs. Expected outcomes, so values, not
 * exceptions.
 */
export type OrderRefusal =
  | { reason: "empty_order" }
  | { reason: "invalid_quantity"; lines: { sku: string; quantity: number }[]; maxQuantity: number }
  | { reason: "unknown_sku"; skus: string[] }
  | { reason: "out_of_stock"; lines: ShortLine[] }
  | { reason: "credit_limit"; limitPaisa: number; usedPaisa: number; availablePaisa: number; requiredPaisa: number }
  | { reason: "retailer_suspended"; status: string };

/** The refusal reasons. */
export type OrderRefusalReason = OrderRefusal["reason"];

/**
 * One plain-English sentence for a refusal (the CLI prints it; the bot words its own replies).
 * @example describeRefusal({ reason: "unknown_sku", skus: ["X1"] }) // "Unknown product SKU: X1."
 */
export function describeRefusal(refusal: OrderRefusal): string {
  switch (refusal.reason) {
    case "empty_order":
      return "The order has no items.";
    case "invalid_quantity":
      return `Quantities must be whole numbers from 1 to ${refusal.maxQuantity}: ${refusal.lines.map((l) => `${l.sku}=${l.quantity}`).join(", ")}.`;
    case "unknown_sku":
      return `Unknown product SKU${refusal.skus.length > 1 ? "s" : ""}: ${refusal.skus.join(", ")}.`;
    case "out_of_stock":
      return `Not enough stock: ${refusal.lines.map((l) => `${l.name} (${l.sku}) asked ${l.requested}, available ${l.available}`).join("; ")}.`;
    case "credit_limit":
      return `Credit limit exceeded: order total ${formatRupees(refusal.requiredPaisa)}, available credit ${formatRupees(refusal.availablePaisa)} (limit ${formatRupees(refusal.limitPaisa)}, used ${formatRupees(refusal.usedPaisa)}).`;
    case "retailer_suspended":
      return `The retailer's account is ${refusal.status}; no new orders can be placed.`;
  }
}
