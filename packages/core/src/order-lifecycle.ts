import { addDays, daysBetween } from "./business-time.js";
import { DomainError } from "./errors.js";

/** Every state an order can be in. */
export const ORDER_STATUSES = ["PENDING", "ACCEPTED", "DISPATCHED", "DELIVERED", "CANCELLED", "REJECTED"] as const;

/** An order's state. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** What an operator or vendor can do to an order. */
export type OrderAction = "accept" | "reject" | "dispatch" | "deliver" | "cancel";

/** Every order action, in lifecycle order. */
export const ORDER_ACTIONS: readonly OrderAction[] = ["accept", "reject", "dispatch", "deliver", "cancel"];

// PENDING -> ACCEPTED -> DISPATCHED -> DELIVERED; PENDING|ACCEPTED -> CANCELLED|REJECTED.
const TRANSITIONS: Record<OrderAction, { from: readonly OrderStatus[]; to: OrderStatus }> = {
  accept: { from: ["PENDING"], to: "ACCEPTED" },
  reject: { from: ["PENDING", "ACCEPTED"], to: "REJECTED" },
  dispatch: { from: ["ACCEPTED"], to: "DISPATCHED" },
  deliver: { from: ["DISPATCHED"], to: "DELIVERED" },
  cancel: { from: ["PENDING", "ACCEPTED"], to: "CANCELLED" },
};

/** The status `action` leads to from `status`, or undefined when the action is not allowed there. */
export function nextOrderStatus(status: OrderStatus, action: OrderAction): OrderStatus | undefined {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : undefined;
}

/**
 * Like nextOrderStatus, but throws an `invalid_transition` DomainError naming the order, its status
 * and the states the action is allowed from.
 */
export function transitionOrder(status: OrderStatus, action: OrderAction, number = "order"): OrderStatus {
  const to = nextOrderStatus(status, action);
  if (to === undefined) {
    const allowedFrom = TRANSITIONS[action].from;
    throw new DomainError("invalid_transition", `cannot ${action} ${number}: it is ${status} (allowed only from ${allowedFrom.join(" or ")})`, {
      number,
      status,
      action,
      allowedFrom,
    });
  }
  return to;
}

/** True for a status whose order still holds stock reservations (placed, not yet dispatched). */
export function holdsReservedStock(status: OrderStatus): boolean {
  return status === "PENDING" || status === "ACCEPTED";
}

/** True for a status whose order still has an open credit hold (placed, not delivered or ended). */
export function holdsCredit(status: OrderStatus): boolean {
  return status === "PENDING" || status === "ACCEPTED" || status === "DISPATCHED";
}

/** True for a parsed string that is an order status. */
export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Days from placement to the expected delivery: vendors deliver on the next business day. */
export const DELIVERY_LEAD_DAYS = 1;

/** Days of credit a retailer gets: an order falls due this many days after delivery. */
export const CREDIT_TERM_DAYS = 30;

/**
 * The dates promised at placement: delivery on the next business day, payment due
 * CREDIT_TERM_DAYS after that (re-set from the real delivery date when the order is delivered).
 * @example orderDates("2026-02-10") // { expectedDeliveryDate: "2026-02-11", dueDate: "2026-03-13" }
 */
export function orderDates(placedBusinessDate: string): { expectedDeliveryDate: string; dueDate: string } {
  const expectedDeliveryDate = addDays(placedBusinessDate, DELIVERY_LEAD_DAYS);
  return { expectedDeliveryDate, dueDate: addDays(expectedDeliveryDate, CREDIT_TERM_DAYS) };
}

/** The due date of an order delivered on `deliveredBusinessDate`. */
export function dueDateAfterDelivery(deliveredBusinessDate: string): string {
  return addDays(deliveredBusinessDate, CREDIT_TERM_DAYS);
}

/**
 * Whole days an unpaid amount is past its due date on `today` (0 when nothing is due, when it is
 * not due yet, or when there is no due date).
 * @example daysPastDue({ dueDate: "2026-03-01", duePaisa: 500, today: "2026-03-04" }) // 3
 */
export function daysPastDue(input: { dueDate: string | null; duePaisa: number; today: string }): number {
  if (input.dueDate === null || input.duePaisa <= 0) return 0;
  return Math.max(0, daysBetween(input.dueDate, input.today));
}

/**
 * The order number: `ORD` + the business date as yyMMdd + the day's sequence, at least 3 digits.
 * @example formatOrderNumber("2026-02-10", 1) // "ORD260210001"
 */
export function formatOrderNumber(businessDate: string, sequence: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(businessDate)) throw new Error(`business date must be YYYY-MM-DD, got ${businessDate}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new Error(`order sequence must be a positive integer, got ${sequence}`);
  return `ORD${orderNumberDatePart(businessDate)}${String(sequence).padStart(3, "0")}`;
}

/** The yyMMdd part of an order number for a business date. */
export function orderNumberDatePart(businessDate: string): string {
  return businessDate.slice(2, 4) + businessDate.slice(5, 7) + businessDate.slice(8, 10);
}
