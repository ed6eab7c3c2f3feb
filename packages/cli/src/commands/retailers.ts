import { formatRupees, normalizePhone, parseRupees, requireRupees } from "@khaacho/core";
import { addRetailer, listRetailers, requireRetailerByCode, setCreditLimit } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";
import { cliActor } from "./order-lookup.js";
import { fillMissing } from "./prompt-missing.js";

const phoneCheck = (value: string) => {
  const result = normalizePhone(value);
  return result.ok ? true : result.reason;
};

/** `khaacho retailers add | list | show | set-limit`. */
export function retailersCommand(context: CommandContext): Command {
  const retailers = new Command("retailers").description("retailers (shopkeepers who order on credit)");

  retailers
    .command("add")
    .description("register a retailer (asks for missing values in a terminal)")
    .option("--code <CODE>", "short unique code, e.g. R-RAM")
    .option("--name <NAME>", "shop name")
    .option("--phone <PHONE>", "WhatsApp number, e.g. +9779812345678")
    .option("--credit-limit <NPR>", "credit limit in rupees")
    .option("--area <AREA>", "area or ward")
    .option("--language <LANG>", "reply language: en or ne", "en")
    .action(
      action(context, async (options: Record<string, string | undefined>) => {
        const values = await fillMissing(
          context,
          options,
          [
            { key: "code", flag: "--code", question: "Retailer code (e.g. R-RAM):" },
            { key: "name", flag: "--name", question: "Shop name:" },
            { key: "phone", flag: "--phone", question: "WhatsApp number (+977...):", validate: phoneCheck },
            {
              key: "creditLimit",
              flag: "--credit-limit",
              question: "Credit limit (NPR):",
              validate: (v) => (parseRupees(v) === undefined ? "an amount in rupees with at most 2 decimals, e.g. 50000 or 50,000.50" : true),
            },
          ],
          "khaacho retailers add --code CODE --name NAME --phone +977... --credit-limit NPR [--area A] [--language en|ne]",
        );
        const language = values.language ?? "en";
        if (language !== "en" && language !== "ne") throw new UsageError(`--language must be en or ne, got "${language}"`);
        const retailer = await context.withDatabase((db) =>
          addRetailer(db.knex, {
            code: values.code as string,
            name: values.name as string,
            phone: values.phone as string,
            creditLimitPaisa: requireRupees(values.creditLimit as string, "--credit-limit"),
            area: values.area,
            language,
          }),
        );
        return { data: retailer, human: `Added retailer ${retailer.code} (${retailer.name}, ${retailer.phone}) with a credit limit of ${formatRupees(retailer.creditLimitPaisa, { grouping: "indian" })}.` };
      }),
    );

  retailers
    .command("list")
    .description("list retailers")
    .action(
      action(context, async () => {
        const list = await context.withDatabase((db) => listRetailers(db.knex));
        return {
          data: list,
          human:
            list.length === 0
              ? "No retailers yet. Add one: khaacho retailers add"
              : renderTable(list, [
                  { header: "Code", value: (r) => r.code },
                  { header: "Name", value: (r) => r.name },
                  { header: "Phone", value: (r) => r.phone },
                  { header: "Area", value: (r) => r.area },
                  { header: "Lang", value: (r) => r.language },
                  { header: "Credit limit", value: (r) => formatRupees(r.creditLimitPaisa, { grouping: "indian" }), align: "right" },
                  { header: "Status", value: (r) => r.status },
                ]),
        };
      }),
    );

  retailers
    .command("show")
    .description("show one retailer")
    .argument("<code>", "retailer code")
    .action(
      action(context, async (code: string) => {
        const retailer = await context.withDatabase((db) => requireRetailerByCode(db.knex, code));
        const lines = [
          `${retailer.code}  ${retailer.name}`,
          `Phone:        ${retailer.phone}`,
          `Area:         ${retailer.area ?? "-"}`,
          `Language:     ${retailer.language}`,
          `Status:       ${retailer.status}`,
          `Credit limit: ${formatRupees(retailer.creditLimitPaisa, { grouping: "indian" })}`,
          `Since:        ${retailer.createdAt.toISOString().slice(0, 10)}`,
        ];
        return { data: retailer, human: lines.join("\n") };
      }),
    );

  retailers
    .command("set-limit")
    .description("change a retailer's credit limit")
    .argument("<code>", "retailer code")
    .argument("<npr>", "new credit limit in rupees")
    .action(
      action(context, async (code: string, npr: string) => {
        const limitPaisa = requireRupees(npr, "credit limit");
        const { before, after } = await context.withDatabase((db) => setCreditLimit(db.knex, code, limitPaisa, { actor: cliActor(context.env) }));
        return {
          data: after,
          human: `${after.code}: credit limit ${formatRupees(before.creditLimitPaisa, { grouping: "indian" })} -> ${formatRupees(after.creditLimitPaisa, { grouping: "indian" })}.`,
        };
      }),
    );
  return retailers;
}
