import { describeRefusal, formatRupees, isOrderStatus, ORDER_STATUSES, type OrderAction } from "@khaacho/core";
import { changeOrderStatus, getOrderDetail, listOrders, type OrderDetail, placeOrder } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure, UsageError } from "../errors.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";
import { cliActor, retailerIdByCode } from "./order-lookup.js";

const rs = (paisa: number) => formatRupees(paisa, { grouping: "indian" });

function parseItem(text: string): { sku: string; quantity: number } {
  const match = /^\s*([^=\s]+)\s*=\s*(\d{1,6})\s*$/.exec(text);
  if (!match) throw new UsageError(`--item must look like SKU=QTY with a whole quantity, got "${text}"`);
  return { sku: match[1] as string, quantity: Number(match[2]) };
}

/** The order as people read it: header, lines, money, dates and history. */
export function renderOrder(order: OrderDetail): string {
  const lines = [
    `Order #${order.number}  ${order.status}`,
    `Retailer: ${order.retailer.name} (${order.retailer.code}, ${order.retailer.phone})`,
    `Vendor:   ${order.vendor.name} (${order.vendor.code})`,
    "",
    renderTable(order.items, [
      { header: "SKU", value: (i) => i.sku },
      { header: "ITEM", value: (i) => i.name },
      { header: "QTY", value: (i) => `${i.quantity} ${i.unit}`, align: "right" },
      { header: "PRICE", value: (i) => rs(i.unitPricePaisa), align: "right" },
      { header: "AMOUNT", value: (i) => rs(i.lineTotalPaisa), align: "right" },
    ]),
    "",
    `Subtotal: ${rs(order.subtotalPaisa)}`,
    `VAT (${order.vatRateBasisPoints / 100}%): ${rs(order.vatPaisa)}`,
    `Total: ${rs(order.totalPaisa)}   Paid: ${rs(order.paidPaisa)}   Due: ${rs(order.duePaisa)}`,
    `Vendor cost: ${rs(order.vendorCostPaisa)}   Settled to vendor: ${rs(order.vendorPaidPaisa)}`,
    `Placed: ${order.placedAt}   Expected delivery: ${order.expectedDeliveryDate ?? "-"}   Due date: ${order.dueDate ?? "-"}${order.daysPastDue > 0 ? `   ${order.daysPastDue} days past due` : ""}`,
    "",
    ...order.events.map((e) => `${e.at}  ${e.type.padEnd(16)} ${e.fromStatus ?? "-"} -> ${e.toStatus}  by ${e.actor}${e.note ? ` (${e.note})` : ""}`),
  ];
  return lines.join("\n");
}

/** `khaacho orders place | list | show | accept | reject | dispatch | deliver | cancel`. */
export function ordersCommand(context: CommandContext): Command {
  const orders = new Command("orders").description("place orders and move them through their lifecycle");

  orders
    .command("place")
    .description("place an order for a retailer (an operator taking an order by phone)")
    .requiredOption("--retailer <CODE>", "retailer code")
    .option("--item <SKU=QTY>", "a line; repeat for more lines", (value: string, previous: string[] = []) => [...previous, value])
    .option("--key <KEY>", "idempotency key: placing again with the same key returns the same order")
    .action(
      action(context, async (options: { retailer: string; item?: string[]; key?: string }) => {
        if (!options.item || options.item.length === 0) throw new UsageError("give at least one --item SKU=QTY");
        const lines = options.item.map(parseItem);
        const config = context.config();
        const result = await context.withDatabase(async (db) => {
          const retailer = await retailerIdByCode(db.knex, options.retailer);
          return placeOrder(db.knex, {
            retailerId: retailer.id,
            lines,
            idempotencyKey: options.key === undefined ? undefined : `cli:${options.key}`,
            source: "operator",
            actor: cliActor(context.env),
            now: new Date(),
            vatRateBasisPoints: config.vatRateBasisPoints,
            timeZone: config.businessTimeZone,
          });
        });
        if (!result.ok) throw new CommandFailure(`order refused (${result.refusal.reason}): ${describeRefusal(result.refusal)}`, { refusal: result.refusal });
        return {
          data: { order: result.order, replayed: result.replayed },
          human: `${result.replayed ? "Already placed with this key" : "Placed"}: order #${result.order.number}, total ${rs(result.order.totalPaisa)}, vendor ${result.order.vendor.name}.\n\n${renderOrder(result.order)}`,
        };
      }),
    );

  orders
    .command("list")
    .description("list orders, newest first")
    .option("--retailer <CODE>", "only this retailer's orders")
    .option("--status <STATUS>", `only orders in this state (${ORDER_STATUSES.join(", ")})`)
    .option("--limit <N>", "at most N orders", "50")
    .action(
      action(context, async (options: { retailer?: string; status?: string; limit: string }) => {
        const status = options.status?.toUpperCase();
        if (status !== undefined && !isOrderStatus(status)) throw new UsageError(`--status must be one of ${ORDER_STATUSES.join(", ")}, got "${options.status}"`);
        if (!/^\d{1,4}$/.test(options.limit) || Number(options.limit) < 1) throw new UsageError(`--limit must be a whole number from 1 to 1000, got "${options.limit}"`);
        const config = context.config();
        const list = await context.withDatabase(async (db) => {
          const retailerId = options.retailer === undefined ? undefined : (await retailerIdByCode(db.knex, options.retailer)).id;
          return listOrders(db.knex, { retailerId, status: status as OrderDetail["status"] | undefined, limit: Number(options.limit) }, { now: new Date(), timeZone: config.businessTimeZone });
        });
        return {
          data: { orders: list },
          human:
            list.length === 0
              ? "No orders."
              : renderTable(list, [
                  { header: "NUMBER", value: (o) => o.number },
                  { header: "STATUS", value: (o) => o.status },
                  { header: "RETAILER", value: (o) => o.retailer.code },
                  { header: "VENDOR", value: (o) => o.vendor.code },
                  { header: "ITEMS", value: (o) => o.itemCount, align: "right" },
                  { header: "TOTAL", value: (o) => rs(o.totalPaisa), align: "right" },
                  { header: "DUE", value: (o) => rs(o.duePaisa), align: "right" },
                  { header: "PAST DUE", value: (o) => (o.daysPastDue > 0 ? `${o.daysPastDue}d` : "-"), align: "right" },
                  { header: "PLACED", value: (o) => o.placedAt.replace(/\.\d{3}Z$/, "Z") },
                ]),
        };
      }),
    );

  orders
    .command("show")
    .description("show one order with its items, money and history")
    .argument("<NUMBER>", "order number, e.g. ORD260210001")
    .action(
      action(context, async (number: string) => {
        const config = context.config();
        const order = await context.withDatabase((db) => getOrderDetail(db.knex, number, { now: new Date(), timeZone: config.businessTimeZone }));
        if (!order) throw new CommandFailure(`no order ${number}`, { number });
        return { data: { order }, human: renderOrder(order) };
      }),
    );

  const verbs: Record<OrderAction, string> = {
    accept: "the vendor accepts the order",
    reject: "the vendor rejects the order (stock and credit are released)",
    dispatch: "the order leaves the vendor (reserved stock is consumed)",
    deliver: "the order is delivered (the credit hold becomes a receivable in the ledger)",
    cancel: "cancel the order (stock and credit are released)",
  };
  for (const [verb, description] of Object.entries(verbs) as [OrderAction, string][]) {
    orders
      .command(verb)
      .description(description)
      .argument("<NUMBER>", "order number")
      .option("--note <TEXT>", "a note recorded with the event")
      .action(
        action(context, async (number: string, options: { note?: string }) => {
          const config = context.config();
          const order = await context.withDatabase((db) =>
            changeOrderStatus(db.knex, { number, action: verb, actor: cliActor(context.env), now: new Date(), note: options.note, timeZone: config.businessTimeZone }),
          );
          return { data: { order }, human: `Order #${order.number} is now ${order.status}.${verb === "deliver" ? ` Due ${rs(order.duePaisa)} by ${order.dueDate}.` : ""}` };
        }),
      );
  }
  for (const sub of orders.commands) sub.exitOverride();
  return orders;
}
