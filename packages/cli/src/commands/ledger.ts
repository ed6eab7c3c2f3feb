import { addDays, businessDate, formatRupees } from "@khaacho/core";
import { getCreditSummary, ledgerBalances, retailerStatement, verifyLedger } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { CommandFailure, UsageError } from "../errors.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";
import { retailerIdByCode } from "./order-lookup.js";

const rs = (paisa: number) => formatRupees(paisa, { grouping: "indian" });
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `khaacho ledger balance | statement | verify`. */
export function ledgerCommand(context: CommandContext): Command {
  const ledger = new Command("ledger").description("the double-entry ledger: balances, statements, verification");

  ledger
    .command("balance")
    .description("every account's balance, or one retailer's credit position with --retailer")
    .option("--retailer <CODE>", "show this retailer's credit: limit, receivable, holds, available, due, overdue")
    .action(
      action(context, async (options: { retailer?: string }) => {
        const config = context.config();
        if (options.retailer !== undefined) {
          const code = options.retailer;
          const summary = await context.withDatabase(async (db) => getCreditSummary(db.knex, (await retailerIdByCode(db.knex, code)).id, new Date(), config.businessTimeZone));
          return {
            data: { retailer: code, credit: summary },
            human: [
              `Retailer ${code}`,
              `Credit limit:   ${rs(summary.limitPaisa)}`,
              `Receivable:     ${rs(summary.receivablePaisa)}  (due ${rs(summary.duePaisa)}, overdue ${rs(summary.overduePaisa)})`,
              `Open holds:     ${rs(summary.holdsPaisa)}  (${summary.openOrders} open orders)`,
              `Used:           ${rs(summary.usedPaisa)}`,
              `Credit balance: ${rs(summary.creditBalancePaisa)}`,
              `Available:      ${rs(summary.availablePaisa)}`,
            ].join("\n"),
          };
        }
        const accounts = await context.withDatabase((db) => ledgerBalances(db.knex));
        return {
          data: { accounts },
          human:
            accounts.length === 0
              ? "The ledger is empty."
              : renderTable(accounts, [
                  { header: "ACCOUNT", value: (a) => a.code },
                  { header: "NAME", value: (a) => (a.retailerCode ? `${a.name} (${a.retailerCode})` : a.vendorCode ? `${a.name} (${a.vendorCode})` : a.name) },
                  { header: "TYPE", value: (a) => a.type },
                  { header: "DEBIT", value: (a) => (a.balancePaisa > 0 ? rs(a.balancePaisa) : ""), align: "right" },
                  { header: "CREDIT", value: (a) => (a.balancePaisa < 0 ? rs(-a.balancePaisa) : ""), align: "right" },
                ]),
        };
      }),
    );

  ledger
    .command("statement")
    .description("a retailer's statement: opening balance, each delivered order and payment, running balance, closing balance")
    .requiredOption("--retailer <CODE>", "retailer code")
    .option("--from <YYYY-MM-DD>", "first business day (default: 30 days before --to)")
    .option("--to <YYYY-MM-DD>", "last business day (default: today)")
    .action(
      action(context, async (options: { retailer: string; from?: string; to?: string }) => {
        const config = context.config();
        const to = options.to ?? businessDate(new Date(), config.businessTimeZone);
        const from = options.from ?? addDays(to, -30);
        for (const [flag, value] of [["--from", from], ["--to", to]] as const) {
          if (!DATE.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
        }
        if (from > to) throw new UsageError(`--from (${from}) must not be after --to (${to})`);
        const statement = await context.withDatabase(async (db) => retailerStatement(db.knex, { retailerId: (await retailerIdByCode(db.knex, options.retailer)).id, from, to }));
        const table = renderTable(
          [
            { date: from, what: "Opening balance", ref: "", debit: "", credit: "", balance: rs(statement.openingBalancePaisa) },
            ...statement.lines.map((l) => ({
              date: l.date,
              what: l.kind === "order_delivery" ? "Order delivered" : l.kind === "payment" ? "Payment" : l.kind === "payment_reversal" ? "Payment reversed" : l.description,
              ref: l.reference ?? "",
              debit: l.debitPaisa ? rs(l.debitPaisa) : "",
              credit: l.creditPaisa ? rs(l.creditPaisa) : "",
              balance: rs(l.balancePaisa),
            })),
            { date: to, what: "Closing balance", ref: "", debit: rs(statement.totalDebitsPaisa), credit: rs(statement.totalCreditsPaisa), balance: rs(statement.closingBalancePaisa) },
          ],
          [
            { header: "DATE", value: (r) => r.date },
            { header: "ENTRY", value: (r) => r.what },
            { header: "REFERENCE", value: (r) => r.ref },
            { header: "DEBIT", value: (r) => r.debit, align: "right" },
            { header: "CREDIT", value: (r) => r.credit, align: "right" },
            { header: "BALANCE", value: (r) => r.balance, align: "right" },
          ],
        );
        return { data: { retailer: options.retailer, statement }, human: `Statement for ${options.retailer}, ${from} to ${to}\n\n${table}` };
      }),
    );

  ledger
    .command("verify")
    .description("recompute every balance from the entries and check every invariant; exits 1 on any violation")
    .action(
      action(context, async () => {
        const report = await context.withDatabase((db) => verifyLedger(db.knex));
        if (!report.ok) {
          throw new CommandFailure(
            `the ledger has ${report.violations.length} violation(s):\n${report.violations.map((v) => `  [${v.kind}] ${v.message}`).join("\n")}`,
            { violations: report.violations, checked: report.checked },
          );
        }
        const c = report.checked;
        return { data: report, human: `Ledger OK: ${c.journals} journals, ${c.entries} entries, ${c.accounts} accounts and ${c.orders} orders checked.` };
      }),
    );
  for (const sub of ledger.commands) sub.exitOverride();
  return ledger;
}
