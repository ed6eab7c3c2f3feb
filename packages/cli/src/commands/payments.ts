import { formatRupees, PAYMENT_METHODS, type PaymentMethod, requireRupees } from "@khaacho/core";
import { recordPayment, reversePayment } from "@khaacho/db";
import { randomUUID } from "node:crypto";
import { Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import { action } from "./action.js";
import { cliActor, retailerIdByCode } from "./order-lookup.js";

const rs = (paisa: number) => formatRupees(paisa, { grouping: "indian" });

/** `khaacho payments record | reverse`. */
export function paymentsCommand(context: CommandContext): Command {
  const payments = new Command("payments").description("money received from retailers");

  payments
    .command("record")
    .description("record a payment; it pays the oldest delivered orders first, any excess stays as credit")
    .requiredOption("--retailer <CODE>", "retailer code")
    .requiredOption("--amount <NPR>", "amount in rupees, e.g. 2373.00")
    .option("--reference <REF>", "receipt, bank or wallet reference; recording it again changes nothing (default: a new unique one)")
    .addOption(new Option("--method <METHOD>", "how it was paid").choices([...PAYMENT_METHODS]).default("cash"))
    .action(
      action(context, async (options: { retailer: string; amount: string; reference?: string; method: PaymentMethod }) => {
        const amountPaisa = requireRupees(options.amount, "--amount");
        const config = context.config();
        const result = await context.withDatabase(async (db) => {
          const retailer = await retailerIdByCode(db.knex, options.retailer);
          return recordPayment(db.knex, {
            retailerId: retailer.id,
            amountPaisa,
            method: options.method,
            reference: options.reference ?? `cli-${randomUUID()}`,
            actor: cliActor(context.env),
            now: new Date(),
            timeZone: config.businessTimeZone,
          });
        });
        const { payment, allocations } = result;
        const applied = allocations.filter((a) => !a.reversed);
        return {
          data: result,
          human: [
            `${result.replayed ? "Already recorded" : "Recorded"}: ${rs(payment.amountPaisa)} from ${options.retailer} by ${payment.method}, reference ${payment.reference}.`,
            ...applied.map((a) => `  paid ${rs(a.amountPaisa)} on order #${a.orderNumber}`),
            payment.unallocatedPaisa > 0 ? `  ${rs(payment.unallocatedPaisa)} kept as credit balance` : "",
          ]
            .filter(Boolean)
            .join("\n"),
        };
      }),
    );

  payments
    .command("reverse")
    .description("reverse a recorded payment (bounced, entered by mistake): a reversal journal, the orders it paid become due again")
    .argument("<REF>", "the payment's reference")
    .option("--reason <TEXT>", "why (kept in the journal)")
    .action(
      action(context, async (reference: string, options: { reason?: string }) => {
        const config = context.config();
        const result = await context.withDatabase((db) =>
          reversePayment(db.knex, { reference, actor: cliActor(context.env), now: new Date(), timeZone: config.businessTimeZone, reason: options.reason }),
        );
        return { data: result, human: `${result.replayed ? "Already reversed" : "Reversed"}: payment ${reference} of ${rs(result.payment.amountPaisa)}.` };
      }),
    );
  for (const sub of payments.commands) sub.exitOverride();
  return payments;
}
