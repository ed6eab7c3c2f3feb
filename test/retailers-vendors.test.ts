import { addRetailer, addVendor, findRetailerByPhone, getRetailerByCode, listRetailers, setCreditLimit } from "@khaacho/db";
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
    const { before, after } = await setCreditLimit(k, "R-RAM", 7_500_000);
    expect([before.creditLimitPaisa, after.creditLimitPaisa]).toEqual([5_000_000, 7_500_000]);
    expect((await getRetailerByCode(k, "R-RAM"))?.creditLimitPaisa).toBe(7_500_000);
    await expect(setCreditLimit(k, "R-NOPE", 1)).rejects.toMatchObject({ code: "not_found" });
  });
});
