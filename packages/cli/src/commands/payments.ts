import { formatRupees, PAYMENT_METHODS, type PaymentMethod, requireRupees } from "@khaacho/core";
import { recordPayment, recordVendorSettlement, requireVendorByCode, reversePayment, reverseVendorSettlement, type VendorSettlementResult } from "@khaacho/db";
import { randomUUID } from "node:crypto";
import { Command, Option } from "commander";
import type { CommandContext } from "../context.js";
import { action } from "./action.js";
import { cliActor, retailerIdByCode } from "./order-lookup.js";

const rs = (paisa: number) => formatRupees(paisa, { grouping: "indian" });

function describeSettlement(verb: string, result: VendorSettlementResult): string {
  const { settlement } = result;
  const vendorCode = settlement.vendorCode;
  const owed = result.payableBalancePaisa;
  return [
    `${verb}: ${rs(settlement.amountPaisa)} to ${vendorCode} by ${settlement.method}, reference ${settlement.reference}.`,
    ...result.allocations.filter((a) => !a.reversed).map((a) => `  paid ${rs(a.amountPaisa)} of order #${a.orderNumber}`),
    settlement.unallocatedPaisa > 0 ? `  ${rs(settlement.unallocatedPaisa)} paid ahead of deliveries (an advance)` : "",
    owed >= 0 ? `Khaacho now owes ${vendorCode} ${rs(owed)}.` : `${vendorCode} has an advance of ${rs(-owed)}.`,
  ]
    .filter(Boolean)
    .join("\n");
}

/** `khaacho payments record | reverse | settle | reverse-settlement`. */
export function paymentsCommand(context: CommandContext): Command {
  const payments = new Command("payments").description("money received from retailers and paid to vendors");

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
  payments
    .command("settle")
    .description("record money paid to a vendor; it pays the vendor's cost of its oldest delivered orders first, any excess is an advance")
    .requiredOption("--vendor <CODE>", "vendor code")
    .requiredOption("--amount <NPR>", "amount in rupees, e.g. 1350.00")
    .option("--reference <REF>", "bank or wallet reference; recording it again changes nothing (default: a new unique one)")
    .addOption(new Option("--method <METHOD>", "how it was paid").choices([...PAYMENT_METHODS]).default("bank"))
    .action(
      action(context, async (options: { vendor: string; amount: string; reference?: string; method: PaymentMethod }) => {
        const amountPaisa = requireRupees(options.amount, "--amount");
        const config = context.config();
        const result = await context.withDatabase(async (db) => {
          const vendor = await requireVendorByCode(db.knex, options.vendor);
          return recordVendorSettlement(db.knex, {
            vendorId: vendor.id,
            amountPaisa,
            method: options.method,
            reference: options.reference ?? `cli-${randomUUID()}`,
            actor: cliActor(context.env),
            now: new Date(),
            timeZone: config.businessTimeZone,
          });
        });
        return { data: result, human: describeSettlement(result.replayed ? "Already recorded" : "Recorded", result) };
      }),
    );

  payments
    .command("reverse-settlement")
    .description("reverse a vendor settlement entered by mistake: a reversal journal, the orders it paid are owed to the vendor again")
    .argument("<REF>", "the settlement's reference")
    .option("--reason <TEXT>", "why (kept in the journal)")
    .action(
      action(context, async (reference: string, options: { reason?: string }) => {
        const config = context.config();
        const result = await context.withDatabase((db) =>
          reverseVendorSettlement(db.knex, { reference, actor: cliActor(context.env), now: new Date(), timeZone: config.businessTimeZone, reason: options.reason }),
        );
        return { data: result, human: describeSettlement(result.replayed ? "Already reversed" : "Reversed", result) };
      }),
    );
  for (const sub of payments.commands) sub.exitOverride();
  return payments;
}
