// `khaacho chat --script` plays a conversation through the real bot on the embedded database.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempWorkspace } from "./support/cli.js";

describe("khaacho chat", () => {
  const ws = tempWorkspace();

  it("plays a script and prints the transcript in the product guide's formats", async () => {
    expect((await runCli(["seed", "--example", "docs"], ws)).code).toBe(0);
    const script = join(ws.cwd, "chat.txt");
    writeFileSync(script, "RICE-1KG x 10\\nDAL-1KG x 5\n\nCONFIRM\nSTATUS\n");
    const run = await runCli(["chat", "--phone", "+977 981-234-5678", "--script", script], ws);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("retailer > RICE-1KG x 10\n           DAL-1KG x 5\nkhaacho  < 📋 Order Summary:\n\n           1. Basmati Rice 1KG\n              SKU: RICE-1KG\n              Qty: 10 × Rs.150 = Rs.1500");
    expect(run.out).toContain("           Total: Rs.2373.00\n\n           ✅ Found 2 product(s), 15 total items.");
    expect(run.out).toMatch(/retailer > CONFIRM\nkhaacho  < ✅ Order Confirmed!\n\n {11}Order #ORD\d{9}\n {11}Status: PENDING\n {11}Total: Rs\.2373\.00\n {11}Items: 2/u);
    expect(run.out).toMatch(/retailer > STATUS\nkhaacho  < ⏳ Order Status\n\n {11}Order #ORD\d{9}\n {11}Status: PENDING\n {11}Vendor: ABC Distributors/u);
    const json = await runCli(["chat", "--json", "--phone", "+9779812345678", "--script", script], ws);
    expect(JSON.parse(json.out)).toMatchObject({ phone: "+9779812345678", transcript: expect.arrayContaining(["khaacho  < ✅ Order Confirmed!"]) });
  });

  it("refuses a bad phone, a missing script file, and no terminal without --script", async () => {
    expect(await runCli(["chat", "--phone", "12"], ws)).toMatchObject({ code: 2, err: expect.stringMatching(/--phone: "12" is not an international phone number/u) });
    expect(await runCli(["chat", "--phone", "+9779812345678", "--script", join(ws.cwd, "none.txt")], ws)).toMatchObject({ code: 1, err: expect.stringMatching(/cannot read the chat script .*none\.txt: no such file/u) });
    expect(await runCli(["chat", "--phone", "+9779812345678"], ws)).toMatchObject({ code: 2, err: expect.stringMatching(/needs a terminal, or --script FILE/u) });
    expect((await runCli(["chat"], ws)).code).toBe(2);
  });
});
