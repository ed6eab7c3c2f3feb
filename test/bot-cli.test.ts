// `khaacho chat --script` plays a conversation through the real bot on the embedded database.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { createBot } from "@khaacho/bot";
import { migrateLatest, openDatabase } from "@khaacho/db";
import { afterAll, describe, expect, it } from "vitest";
import { chatInteractively, terminalSession } from "../packages/cli/src/commands/chat.js";
import { createContext } from "../packages/cli/src/context.js";
import { botConfig, RAM, seed } from "./support/bot.js";
import { runCli, tempWorkspace } from "./support/cli.js";

// A terminal stand-in: types the next line each time the prompt shows, then `last` ("" = Enter,
// undefined = Ctrl-D, which ends the input).
function terminal(lines: string[], last: string | undefined) {
  const input = new PassThrough();
  const queue = [...lines];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const screen = chunk.toString();
      // A fresh prompt is the only write that ends with the prompt mark and nothing typed yet.
      if (/^\? retailer >\s*$/u.test(screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/gu, ""))) {
        const next = queue.shift();
        setImmediate(() => {
          if (next !== undefined) input.write(`${next}\n`);
          else if (last !== undefined) input.write(`${last}\n`);
          else input.end();
        });
      }
      done();
    },
  });
  output.end = (() => output) as typeof output.end;
  return { input, output };
}

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

describe("khaacho chat in a terminal", async () => {
  const db = await openDatabase({ memory: true });
  afterAll(() => db.close());

  it("shows each reply as it comes and ends on an empty line, on exit, or on Ctrl-D", async () => {
    await migrateLatest(db.knex);
    await seed(db, "docs");
    const shown: string[] = [];
    const context = createContext({ cwd: "/", env: {}, output: { out: (t) => shown.push(t), err: () => {} }, stdin: Readable.from([]), interactive: true });
    const send = terminalSession(createBot({ knex: db.knex, config: botConfig }), RAM);
    const transcript = await chatInteractively(context, send, terminal(["RICE-1KG x 2", "CANCEL", "status"], ""));
    expect(transcript[0]).toBe("retailer > RICE-1KG x 2");
    expect(transcript).toContain("khaacho  < 📋 Order Summary:");
    expect(transcript).toContain("khaacho  < ❌ Order cancelled.");
    expect(transcript.filter((l) => l.startsWith("retailer > "))).toEqual(["retailer > RICE-1KG x 2", "retailer > CANCEL", "retailer > status"]);
    expect(shown.join("\n")).toContain("khaacho  < 📋 Order Summary:");
    expect(await chatInteractively(context, send, terminal(["help"], "exit"))).toContain("khaacho  < 📚 Khaacho Help");
    expect(await chatInteractively(context, send, terminal(["HELP"], undefined))).toContain("khaacho  < 📚 Khaacho Help");
  }, 20_000);
});
