import type { OrderRefusal } from "./order-refusal.js";

/** What a retailer's credit is made of: the limit, the ledger receivable and open order holds. */
export interface CreditPosition {
  limitPaisa: number;
  /** Receivable account balance, debit minus credit: negative when the retailer has paid ahead. */
  receivableBalancePaisa: number;
  /** Open credit holds of placed, undelivered orders. */
  holdsPaisa: number;
}

/** A retailer's credit figures, all in paisa and never negative. */
export interface CreditFigures {
  limitPaisa: number;
  /** What the retailer owes for delivered orders. */
  receivablePaisa: number;
  holdsPaisa: number;
  /** receivable + holds. */
  usedPaisa: number;
  /** limit - (receivable balance + holds), i.e. limit - used + credit balance; 0 at worst. */
  availablePaisa: number;
  /** Money paid ahead (over-payment), which also adds to what is available. */
  creditBalancePaisa: number;
}

/**
 * Credit figures from a position: available = limit - (receivable balance + open holds).
 * @example creditFigures({ limitPaisa: 1000, receivableBalancePaisa: -200, holdsPaisa: 300 })
 * // { limitPaisa: 1000, receivablePaisa: 0, holdsPaisa: 300, usedPaisa: 300, availablePaisa: 900, creditBalancePaisa: 200 }
 */
export function creditFigures(position: CreditPosition): CreditFigures {
  const receivablePaisa = Math.max(0, position.receivableBalancePaisa);
  const creditBalancePaisa = Math.max(0, -position.receivableBalancePaisa);
  const usedPaisa = receivablePaisa + position.holdsPaisa;
  return {
    limitPaisa: position.limitPaisa,
    receivablePaisa,
    holdsPaisa: position.holdsPaisa,
    usedPaisa,
    availablePaisa: Math.max(0, position.limitPaisa - position.receivableBalancePaisa - position.holdsPaisa),
    creditBalancePaisa,
  };
}

/** Whether available credit covers `requiredPaisa`; the refusal carries the figures behind it. */
export function checkCredit(
  position: CreditPosition,
  requiredPaisa: number,
): { ok: true; figures: CreditFigures } | { ok: false; refusal: Extract<OrderRefusal, { reason: "credit_limit" }> } {
  const figures = creditFigures(position);
  const exact = position.limitPaisa - position.receivableBalancePaisa - position.holdsPaisa;
  if (requiredPaisa <= exact) return { ok: true, figures };
  return {
    ok: false,
    refusal: { reason: "credit_limit", limitPaisa: figures.limitPaisa, usedPaisa: figures.usedPaisa, availablePaisa: figures.availablePaisa, requiredPaisa },
  };
}
