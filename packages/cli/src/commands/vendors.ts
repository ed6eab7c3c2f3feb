import { formatRupees, normalizePhone } from "@khaacho/core";
import { addVendor, getVendorPayable, listProductsWithOffers, listVendors, requireVendorByCode } from "@khaacho/db";
import { Command } from "commander";
import type { CommandContext } from "../context.js";
import { renderTable } from "../output.js";
import { action } from "./action.js";
import { fillMissing } from "./prompt-missing.js";

/** `khaacho vendors add | list | show`. */
export function vendorsCommand(context: CommandContext): Command {
  const vendors = new Command("vendors").description("vendors (distributors who fulfil orders)");

  vendors
    .command("add")
    .description("register a vendor (asks for missing values in a terminal)")
    .option("--code <CODE>", "short unique code, e.g. V-BHERI")
    .option("--name <NAME>", "business name")
    .option("--phone <PHONE>", "WhatsApp number, e.g. +9779858012345")
    .option("--area <AREA>", "area")
    .action(
      action(context, async (options: Record<string, string | undefined>) => {
        const values = await fillMissing(
          context,
          options,
          [
            { key: "code", flag: "--code", question: "Vendor code (e.g. V-BHERI):" },
            { key: "name", flag: "--name", question: "Business name:" },
            {
              key: "phone",
              flag: "--phone",
              question: "WhatsApp number (+977...):",
              validate: (v) => {
                const r = normalizePhone(v);
                return r.ok ? true : r.reason;
              },
            },
          ],
          "khaacho vendors add --code CODE --name NAME --phone +977... [--area A]",
        );
        const vendor = await context.withDatabase((db) =>
          addVendor(db.knex, { code: values.code as string, name: values.name as string, phone: values.phone as string, area: values.area }),
        );
        return { data: vendor, human: `Added vendor ${vendor.code} (${vendor.name}, ${vendor.phone}).` };
      }),
    );

  vendors
    .command("list")
    .description("list vendors")
    .action(
      action(context, async () => {
        const list = await context.withDatabase((db) => listVendors(db.knex));
        return {
          data: list,
          human:
            list.length === 0
              ? "No vendors yet. Add one: khaacho vendors add"
              : renderTable(list, [
                  { header: "Code", value: (v) => v.code },
                  { header: "Name", value: (v) => v.name },
                  { header: "Phone", value: (v) => v.phone },
                  { header: "Area", value: (v) => v.area },
                  { header: "Status", value: (v) => v.status },
                  { header: "Delivered", value: (v) => String(v.deliveredOrders) },
                  { header: "Rejected", value: (v) => String(v.rejectedOrders) },
                ]),
        };
      }),
    );

  vendors
    .command("show")
    .description("show one vendor and its offers")
    .argument("<code>", "vendor code")
    .action(
      action(context, async (code: string) => {
        const { vendor, offers, payable } = await context.withDatabase(async (db) => {
          const found = await requireVendorByCode(db.knex, code);
          const products = await listProductsWithOffers(db.knex);
          const mine = products.flatMap((p) => p.offers.filter((o) => o.vendorCode === found.code).map((o) => ({ sku: p.sku, name: p.name, ...o })));
          return { vendor: found, offers: mine, payable: await getVendorPayable(db.knex, found.id) };
        });
        const money = (paisa: number) => formatRupees(paisa, { grouping: "indian" });
        const head = [
          `${vendor.code}  ${vendor.name}`,
          `Phone:  ${vendor.phone}`,
          `Area:   ${vendor.area ?? "-"}`,
          `Status: ${vendor.status}`,
          `Owed:   ${money(payable.payablePaisa)} (unsettled deliveries ${money(payable.unsettledPaisa)}, advance ${money(payable.advancePaisa)})`,
          "",
        ];
        const table =
          offers.length === 0
            ? "No offers yet."
            : renderTable(offers, [
                { header: "SKU", value: (o) => o.sku },
                { header: "Name", value: (o) => o.name },
                { header: "Cost", value: (o) => formatRupees(o.costPaisa, { grouping: "indian" }), align: "right" },
                { header: "Stock", value: (o) => o.stock, align: "right" },
                { header: "Reserved", value: (o) => o.reserved, align: "right" },
              ]);
        return { data: { ...vendor, payable, offers }, human: head.join("\n") + table };
      }),
    );
  return vendors;
}
