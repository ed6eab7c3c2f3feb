import type { OrderRefusal, ShortLine } from "./order-refusal.js";

/** A vendor's offer for one product: its cost and sellable stock. */
export interface VendorOffer {
  offerId: number;
  vendorId: number;
  vendorCode: string;
  vendorName: string;
  productId: number;
  costPaisa: number;
  stock: number;
  /** Higher is better (a vendor's track record); ties on cost are broken by it, then by vendor id. */
  recordScore?: number;
}

/**
 * A vendor's record as a score from 0 to 1: the share of its decided orders it delivered rather
 * than rejected, counting one of each besides, so that a vendor with no history scores 0.5, one
 * rejection does not sink a newcomer, and a long record weighs more than a short one.
 * @example vendorRecordScore(0, 0) // 0.5
 * @example vendorRecordScore(8, 0) // 0.9
 */
export function vendorRecordScore(delivered: number, rejected: number): number {
  return (delivered + 1) / (delivered + rejected + 2);
}

/** A line to supply: product and quantity (sku and name for refusals). */
export interface SupplyLine {
  productId: number;
  sku: string;
  name: string;
  quantity: number;
}

/** The vendor chosen for a whole order and the offer used for each line. */
export interface VendorChoice {
  vendorId: number;
  vendorCode: string;
  vendorName: string;
  /** In the order of the requested lines. */
  lines: { productId: number; offerId: number; quantity: number; unitCostPaisa: number }[];
  costPaisa: number;
}

function offersByVendor(offers: readonly VendorOffer[]): Map<number, Map<number, VendorOffer>> {
  const byVendor = new Map<number, Map<number, VendorOffer>>();
  for (const offer of offers) {
    let products = byVendor.get(offer.vendorId);
    if (!products) byVendor.set(offer.vendorId, (products = new Map()));
    products.set(offer.productId, offer);
  }
  return byVendor;
}

/**
 * Every vendor that offers every line, best first, whatever their stock: the cheapest total cost,
 * then the best record, then the lowest vendor id. The vendor {@link chooseVendor} picks is the
 * first of these with stock for every line, so a caller that learns stock later (in the database,
 * under lock) can take the first that has it and still follow the same rule.
 */
export function rankVendors(lines: readonly SupplyLine[], offers: readonly VendorOffer[]): VendorChoice[] {
  const ranked: { choice: VendorChoice; score: number }[] = [];
  for (const [vendorId, products] of offersByVendor(offers)) {
    const chosen: VendorChoice["lines"] = [];
    let score = Number.NEGATIVE_INFINITY;
    for (const line of lines) {
      const offer = products.get(line.productId);
      if (!offer) break;
      chosen.push({ productId: line.productId, offerId: offer.offerId, quantity: line.quantity, unitCostPaisa: offer.costPaisa });
      score = Math.max(score, offer.recordScore ?? 0);
    }
    const first = products.get(lines[0]?.productId ?? -1);
    if (!first || chosen.length < lines.length) continue;
    const costPaisa = chosen.reduce((sum, l) => sum + l.quantity * l.unitCostPaisa, 0);
    ranked.push({ choice: { vendorId, vendorCode: first.vendorCode, vendorName: first.vendorName, lines: chosen, costPaisa }, score });
  }
  ranked.sort((a, b) =>
    a.choice.costPaisa !== b.choice.costPaisa ? a.choice.costPaisa - b.choice.costPaisa : a.score !== b.score ? (b.score > a.score ? 1 : -1) : a.choice.vendorId - b.choice.vendorId,
  );
  return ranked.map((r) => r.choice);
}

/**
 * Picks one vendor that can supply every line from stock: the cheapest total cost, then the best
 * record, then the lowest vendor id. When none can, the refusal names each short line with the
 * most any single vendor has; when every line is available somewhere but no vendor has them all,
 * it names the lines the best-covering vendor lacks, with that vendor's stock.
 */
export function chooseVendor(
  lines: readonly SupplyLine[],
  offers: readonly VendorOffer[],
): { ok: true; choice: VendorChoice } | { ok: false; refusal: Extract<OrderRefusal, { reason: "out_of_stock" }> } {
  const byVendor = offersByVendor(offers);
  const stockOf = (vendorId: number, productId: number) => byVendor.get(vendorId)?.get(productId)?.stock ?? 0;
  const best = rankVendors(lines, offers).find((choice) => choice.lines.every((l) => stockOf(choice.vendorId, l.productId) >= l.quantity));
  if (best) return { ok: true, choice: best };

  let bestCover: { vendorId: number; covered: number } | undefined;
  for (const [vendorId, products] of byVendor) {
    let covered = 0;
    for (const line of lines) if ((products.get(line.productId)?.stock ?? 0) >= line.quantity) covered++;
    if (!bestCover || covered > bestCover.covered || (covered === bestCover.covered && vendorId < bestCover.vendorId)) {
      bestCover = { vendorId, covered };
    }
  }

  const maxAvailable = (productId: number) => Math.max(0, ...offers.filter((o) => o.productId === productId).map((o) => o.stock));
  let short: ShortLine[] = lines
    .filter((line) => maxAvailable(line.productId) < line.quantity)
    .map((line) => ({ sku: line.sku, name: line.name, requested: line.quantity, available: maxAvailable(line.productId) }));
  if (short.length === 0) {
    const products = byVendor.get(bestCover?.vendorId ?? -1);
    short = lines
      .filter((line) => (products?.get(line.productId)?.stock ?? 0) < line.quantity)
      .map((line) => ({ sku: line.sku, name: line.name, requested: line.quantity, available: products?.get(line.productId)?.stock ?? 0 }));
  }
  return { ok: false, refusal: { reason: "out_of_stock", lines: short } };
}
