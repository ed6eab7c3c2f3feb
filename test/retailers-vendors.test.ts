import { addRetailer, addVendor, findRetailerByPhone, getRetailerByCode, getVendorByCode, listRetailers, listVendors, requireVendorByCode, setCreditLimit } from "@khaacho/db";
import { expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";

describeEachDatabase("retailers and vendors", (ctx) => {
  it("registers a retailer with a normalised phone and finds it by any spelling of that phone", async () => {
    const k = ctx.db.knex;
    const added = await addRetailer(k, { code: "R-RAM", name: "Ram Kirana", phone: "981-234-5678", creditLimitPaisa: 5_000_000, area: "Birendranagar" });
    expect(added).toMatchObject({ code: "R-RAM", phone: "+9779812345678", creditLimitPaisa: 5_000_000, language: "en", status: "ACTIVE" });
    expect((await findRetailerByPhone(k, "whatsapp:+9779812345678"))?.code).toBe("R-RAM");
    expect(await findRetailerByPhone(k, "+9779800000000")).toBeUndefined();
    expect(await findRetailerByPhone(k, "not a phone")).toBeUndefined();
  });

  it("rejects bad fields and duplicates with the field named", async () => {
    const k = ctx.db.knex;
    await expect(addRetailer(k, { code: "R-X", name: "X", phone: "+9771234567", creditLimitPaisa: 0 })).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "phone" },
    });
    await expect(addRetailer(k, { code: "bad code!", name: "X", phone: "+9779811111111", creditLimitPaisa: 0 })).rejects.toMatchObject({
      details: { field: "code" },
    });
    await expect(addRetailer(k, { code: "R-RAM", name: "Other", phone: "+9779811111111", creditLimitPaisa: 0 })).rejects.toMatchObject({
      code: "conflict",
      details: { field: "code" },
    });
    await expect(addRetailer(k, { code: "R-NEW", name: "Other", phone: "+9779812345678", creditLimitPaisa: 0 })).rejects.toMatchObject({
      code: "conflict",
      details: { field: "phone" },
    });
    await expect(addVendor(k, { code: "V1", name: "", phone: "+9779858000001" })).rejects.toMatchObject({ details: { field: "name" } });
    expect((await listRetailers(k)).map((r) => r.code)).toEqual(["R-RAM"]);
  });

  it("changes a credit limit and reports before and after", async () => {
    const k = ctx.db.knex;
    const { before, after } = await setCreditLimit(k, "R-RAM", 7_500_000, { actor: "cli:hari" });
    expect([before.creditLimitPaisa, after.creditLimitPaisa]).toEqual([5_000_000, 7_500_000]);
    expect(await k("audit_log").where({ entity_type: "retailer", entity_id: "R-RAM" }).select("actor", "action", "details")).toEqual([
      { actor: "cli:hari", action: "retailer.credit_limit_changed", details: { fromPaisa: 5_000_000, toPaisa: 7_500_000 } },
    ]);
    await expect(setCreditLimit(k, "R-RAM", -1)).rejects.toMatchObject({ code: "invalid_input", details: { field: "credit-limit" } });
    expect((await getRetailerByCode(k, "R-RAM"))?.creditLimitPaisa).toBe(7_500_000);
    await expect(setCreditLimit(k, "R-NOPE", 1)).rejects.toMatchObject({ code: "not_found" });
  });
});

describeEachDatabase("phone numbers of retailers and vendors", (ctx) => {
  const accepted: [string, string][] = [
    ["+9779812345678", "+9779812345678"],
    ["+977 984-123-4567", "+9779841234567"],
    ["9741234567", "+9779741234567"],
    ["009779851234567", "+9779851234567"],
    ["whatsapp:+9779861234567", "+9779861234567"],
    ["+919812345678", "+919812345678"],
  ];
  const rejected = [
    "+977014412345", // a Kathmandu landline: WhatsApp orders come from mobiles
    "+9779612345678", // 96 is not a Nepali mobile prefix
    "+97798123456", // one digit short
    "981234567", // nine digits, no country
    "9812345678x",
    "+0 123 456",
    "",
  ];

  it("stores every accepted spelling in E.164", async () => {
    for (const [index, [input, stored]] of accepted.entries()) {
      const added = await addVendor(ctx.db.knex, { code: `V${index}`, name: `Vendor ${index}`, phone: input });
      expect(added.phone, input).toBe(stored);
    }
    expect((await listVendors(ctx.db.knex)).map((v) => v.phone).sort()).toEqual(accepted.map(([, stored]) => stored).sort());
  });

  it("refuses numbers that are not mobiles, naming the phone field, and writes nothing", async () => {
    for (const input of rejected) {
      await expect(addRetailer(ctx.db.knex, { code: "R-BAD", name: "Bad", phone: input, creditLimitPaisa: 0 }), input).rejects.toMatchObject({
        code: "invalid_input",
        details: { field: "phone" },
      });
    }
    expect(await getRetailerByCode(ctx.db.knex, "R-BAD")).toBeUndefined();
  });

  it("refuses a second vendor with the same phone or code, whatever the spelling", async () => {
    await expect(addVendor(ctx.db.knex, { code: "V-OTHER", name: "Other", phone: "981-234-5678" })).rejects.toMatchObject({
      code: "conflict",
      details: { field: "phone", value: "+9779812345678" },
    });
    await expect(addVendor(ctx.db.knex, { code: " V0 ", name: "Other", phone: "+9779800000001" })).rejects.toMatchObject({ code: "conflict", details: { field: "code" } });
    expect((await getVendorByCode(ctx.db.knex, "V0"))?.name).toBe("Vendor 0");
    await expect(requireVendorByCode(ctx.db.knex, "V-NONE")).rejects.toMatchObject({ code: "not_found", details: { field: "vendor" } });
  });
});
