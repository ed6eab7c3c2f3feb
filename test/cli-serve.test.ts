import { createServer, type Server } from "node:net";
import { afterEach, expect, it } from "vitest";
import { runCli, tempWorkspace } from "./support/cli.js";

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

it("khaacho serve on a port in use fails with the reason and leaves nothing running", async () => {
  blocker = createServer();
  const port = await new Promise<number>((resolve) => blocker!.listen(0, "127.0.0.1", () => resolve((blocker!.address() as { port: number }).port)));
  const ws = tempWorkspace();
  const env = {
    ...ws.env,
    TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
    TWILIO_AUTH_TOKEN: "0123456789abcdef0123456789abcdef",
    PUBLIC_BASE_URL: "https://khaacho.example",
    JWT_SECRET: "serve-test-secret-serve-test-secret",
    LOG_LEVEL: "silent",
  };
  expect((await runCli(["db", "migrate"], { cwd: ws.cwd, env })).code).toBe(0);
  const before = timers();
  const run = await runCli(["serve", "--port", String(port), "--host", "127.0.0.1"], { cwd: ws.cwd, env });
  expect(run.code).not.toBe(0);
  expect(run.err).toMatch(/EADDRINUSE/);
  // The spool's retry timer would keep a real process alive after the error.
  expect(timers()).toBeLessThanOrEqual(before);
});
