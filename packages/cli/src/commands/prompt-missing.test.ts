import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createContext } from "../context.js";
import { UsageError } from "../errors.js";
import { fillMissing, type RequiredField } from "./prompt-missing.js";

const FIELDS: RequiredField[] = [
  { key: "code", flag: "--code", question: "Retailer code:" },
  { key: "name", flag: "--name", question: "Shop name:" },
  { key: "phone", flag: "--phone", question: "WhatsApp number:", validate: (v) => (v.startsWith("+977") ? true : "not a Nepali number") },
];

function context(interactive: boolean) {
  return createContext({ cwd: "/", env: {}, output: { out: () => undefined, err: () => undefined }, stdin: Readable.from([]), interactive });
}

// A terminal stand-in: types the first answer to a question when the prompt first shows it, and the
// next one each time the prompt shows a validation error.
function terminal(answers: Record<string, string[]>, error = "not a Nepali number") {
  const input = new PassThrough();
  const asked: string[] = [];
  let current: string[] = [];
  let erred = false;
  const type = (answer: string | undefined) => answer !== undefined && setImmediate(() => input.write(`${answer}\n`));
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const screen = chunk.toString();
      for (const [question, queue] of Object.entries(answers)) {
        if (screen.includes(question) && !asked.includes(question)) {
          asked.push(question);
          current = [...queue];
          type(current.shift());
        }
      }
      // inquirer keeps the refused text on the line for editing: Ctrl-U clears it first.
      if (screen.includes(error) && !erred) type(current.length ? `\u0015${current.shift()}` : undefined);
      erred = screen.includes(error);
      done();
    },
  });
  // A terminal is not closed when one prompt ends (inquirer pipes into it and ends the pipe, which
  // node skips only for process.stdout and process.stderr).
  output.end = (() => output) as typeof output.end;
  return { streams: { input, output }, asked };
}

describe("asking for missing flags", () => {
  it("asks only for what is missing, in order, in a terminal, and asks again after a refused answer", async () => {
    const { streams, asked } = terminal({ "Shop name:": ["Sita General Store"], "WhatsApp number:": ["9823456789", "+9779823456789"], "Retailer code:": ["R-NEVER"] });
    const filled = await fillMissing(context(true), { code: "R-SITA", name: undefined, phone: "  " }, FIELDS, "usage", streams);
    expect(filled).toMatchObject({ code: "R-SITA", name: "Sita General Store", phone: "+9779823456789" });
    expect(asked).toEqual(["Shop name:", "WhatsApp number:"]);
  }, 10_000);

  it("without a terminal fails with usage, listing every missing flag", async () => {
    const attempt = fillMissing(context(false), { code: "R-SITA" }, FIELDS, "khaacho retailers add --code CODE --name NAME --phone +977...");
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(/missing --name, --phone\nusage: khaacho retailers add/);
  });

  it("does not prompt at all when every flag is given", async () => {
    const filled = await fillMissing(context(false), { code: "R1", name: "Ram", phone: "+9779812345678" }, FIELDS, "usage");
    expect(filled).toEqual({ code: "R1", name: "Ram", phone: "+9779812345678" });
  });
});
