// npm run bench:webhook — the Twilio webhook under load, on the local PostgreSQL.
// Creates its own database, seeds 500 retailers and the example catalog, starts `khaacho serve`
// in a child process, and drives signed WhatsApp traffic (order, confirm, status per phone): 60 s
// paced at a fixed 300 requests/s (BENCH_SECONDS), then 20 s at the same rate with every phone on
// one product (BENCH_HOT_SECONDS: the CONFIRMs all queue for one stock row), then saturation with
// autocannon (BENCH_SATURATION_SECONDS, requests signed before it starts); then a bare node:http
// hello-world on the same machine for comparison. Loopback only. Figures are noisy on a shared
// machine; the CPU each side spends per request (from /proc) moves less than the throughput.
//
// The fixed rate is paced here, not by autocannon: autocannon's rate limit lets each connection
// send its whole per-second quota back to back and then wait for the next second, on timers that
// all connections start together, so "300 requests/s" arrives as a burst of 300 at the top of
// each second. Here request i is sent at start + i/rate, and its latency runs from that moment
// (a request the generator sent late counts the lateness too), over keep-alive connections.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { parseCatalogCsv } from "@khaacho/core";
import { migrateLatest, openDatabase } from "@khaacho/db";
import knexFactory from "knex";
import twilio from "twilio";
import { cpuPerOperation, cpuSnapshot, processCpuMs } from "./cpu.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PHONES = 500;
const AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
const PUBLIC_BASE_URL = "https://bench.khaacho.example";
const PATH = "/webhooks/twilio/whatsapp";
const RATE = Number(process.env.BENCH_RATE ?? 300);
const STEADY_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SATURATION_SECONDS = Number(process.env.BENCH_SATURATION_SECONDS ?? 20);
const HOT_SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 20);

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `khaacho_bench_${Date.now().toString(36)}`;
  const admin = knexFactory({ client: "pg", connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  return {
    url: withDatabaseName(ADMIN_URL, name),
    drop: async () => {
      const cleanup = knexFactory({ client: "pg", connection: ADMIN_URL, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists ${name} with (force)`);
      await cleanup.destroy();
    },
  };
}

const phoneOf = (i: number) => `+97798${String(10_000_000 + i).slice(-8)}`;

async function seed(url: string): Promise<string[]> {
  const db = await openDatabase({ databaseUrl: url });
  try {
    await migrateLatest(db.knex);
    const parsed = parseCatalogCsv(readFileSync(join(ROOT, "examples/catalog.csv"), "utf8"));
    if (!parsed.ok) throw new Error(`examples/catalog.csv: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
    const [vendor] = (await db.knex("vendors").insert({ code: "V-BENCH", name: "Bench Distributors", phone: "+9779700000001" }).returning("id")) as { id: number }[];
    for (const row of parsed.rows) {
      const [product] = (await db.knex("products")
        .insert({ sku: row.sku, name: row.name, unit: row.unit, category: row.category ?? null, price_paisa: row.pricePaisa, aliases: row.aliases })
        .returning("id")) as { id: number }[];
      await db.knex("vendor_products").insert({ vendor_id: vendor!.id, product_id: product!.id, cost_paisa: Math.floor(row.pricePaisa * 0.9), stock: 10_000_000 });
    }
    const retailers = Array.from({ length: PHONES }, (_, i) => ({
      code: `RB${String(i).padStart(4, "0")}`,
      name: `Bench Shop ${i}`,
      phone: phoneOf(i),
      credit_limit_paisa: 10_000_000_000,
    }));
    await db.knex.batchInsert("retailers", retailers, 250);
    return parsed.rows.slice(0, 20).map((r) => r.name);
  } finally {
    await db.close();
  }
}

async function waitForHealth(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not become healthy in 20 s");
}

function startKhaacho(url: string, port: number): ChildProcess {
  // BENCH_NODE_ARGS passes node flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter((arg) => arg !== "");
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, "packages/cli/bin/khaacho.js"), "serve", "--port", String(port), "--host", "127.0.0.1"], {
    cwd: mkdtempSync(join(tmpdir(), "khaacho-bench-")),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL,
      JWT_SECRET: "bench-secret-bench-secret-bench-secret",
      LOG_LEVEL: "warn",
      // 300 req/s over 500 phones is 36 messages a minute per phone: above the production limit
      // of 30, which would turn most of the run into cheap slow-down replies. Measure the real path.
      KHAACHO_WEBHOOK_RATE_LIMIT: "100000",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

function startHelloWorld(port: number): ChildProcess {
  return spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => s.end("hello")).listen(${port}, "127.0.0.1")`], { stdio: "inherit" });
}

interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
}

// Each phone cycles order -> confirm -> status, so every request is a new MessageSid doing real work.
// Phones order different products (each of the 20 is ordered by 25 phones in a round), unless
// `hot`: then all 500 order the same product in the same round, so every CONFIRM reserves stock
// on the same vendor row and the placements queue for its lock.
function trafficFor(products: string[], state: { n: number; hot: boolean }): () => WebhookRequest {
  return () => {
    const i = state.n++;
    const phoneIndex = i % PHONES;
    const step = Math.floor(i / PHONES) % 3;
    const round = Math.floor(i / (PHONES * 3));
    const product = products[((state.hot ? 0 : phoneIndex) + round) % products.length]!;
    const text = step === 0 ? `${1 + (i % 5)} ${product}` : step === 1 ? "CONFIRM" : "status";
    const phone = phoneOf(phoneIndex);
    const params = {
      MessageSid: `SMbench${String(i).padStart(27, "0")}`,
      AccountSid: "AC0123456789abcdef0123456789abcdef",
      From: `whatsapp:${phone}`,
      To: "whatsapp:+14155238886",
      WaId: phone.slice(1),
      ProfileName: `Bench Shop ${phoneIndex}`,
      Body: text,
      NumMedia: "0",
      NumSegments: "1",
      ApiVersion: "2010-04-01",
    };
    return {
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_BASE_URL}${PATH}`, params),
      },
      body: new URLSearchParams(params).toString(),
    };
  };
}

const asAutocannon = (next: () => WebhookRequest) => (request: autocannon.Request): autocannon.Request => ({ ...request, method: "POST", path: PATH, ...next() });

/**
 * The next `count` requests, signed ahead, then more made on demand. Twilio signs on its own
 * machines; signing inside the saturation run would take CPU from the server on this one.
 */
function presigned(next: () => WebhookRequest, count: number): () => WebhookRequest {
  const ready = Array.from({ length: count }, next);
  let i = 0;
  return () => (i < ready.length ? ready[i++]! : next());
}

/** What a run measured, in the same shape for the paced generator and autocannon. */
interface RunResult {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const fromAutocannon = (r: autocannon.Result): RunResult => ({
  perSecond: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  max: r.latency.max,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
});

function post(agent: Agent, port: number, req: WebhookRequest): Promise<number> {
  return new Promise((resolvePost, reject) => {
    const outgoing = httpRequest(
      { agent, host: "127.0.0.1", port, method: "POST", path: PATH, headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolvePost(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("timeout")));
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}

/** Sends request i at start + i/rate for `seconds`, whatever the answers are doing (open loop). */
async function paced(port: number, rate: number, seconds: number, next: () => WebhookRequest): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sending: Promise<void> = post(agent, port, next())
      .then((status) => {
        latencies.push(performance.now() - due);
        if (status < 200 || status >= 300) non2xx++;
      })
      .catch((error: Error) => {
        if (error.message === "timeout") timeouts++;
        else errors++;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN);
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), max: Math.round(latencies.at(-1) ?? Number.NaN), non2xx, errors, timeouts };
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolveRun(result)));
  });
}

function line(label: string, r: RunResult): string {
  return `${label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   max ${String(r.max).padStart(5)} ms   non-2xx ${r.non2xx}   errors ${r.errors}   timeouts ${r.timeouts}`;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  let server: ChildProcess | undefined;
  let hello: ChildProcess | undefined;
  try {
    const products = await seed(database.url);
    const port = 3900 + Math.floor(Math.random() * 50);
    server = startKhaacho(database.url, port);
    await waitForHealth(port, server);
    const traffic = { n: 0, hot: false };
    const next = trafficFor(products, traffic);
    const setupRequest = asAutocannon(next);
    const url = `http://127.0.0.1:${port}`;

    console.log(`Webhook bench: ${PHONES} phones, signed Twilio requests (order / CONFIRM / status), local PostgreSQL, 2-core shared machine.`);
    await run({ url, connections: 20, duration: 3, requests: [{ setupRequest }] }); // warm-up
    const steady = await paced(port, RATE, STEADY_SECONDS, next);
    traffic.hot = true;
    // Start the hot phase at a round's first order, so every phone's CONFIRM is for that product.
    traffic.n = Math.ceil(traffic.n / (PHONES * 3)) * PHONES * 3;
    const hot = HOT_SECONDS > 0 ? await paced(port, RATE, HOT_SECONDS, next) : undefined;
    traffic.hot = false;
    const signedAhead = asAutocannon(presigned(next, SATURATION_SECONDS * 2500));
    const cpuBefore = cpuSnapshot(server.pid);
    const generatorBefore = processCpuMs(process.pid);
    const saturationResult = await run({ url, connections: 64, duration: SATURATION_SECONDS, requests: [{ setupRequest: signedAhead }] });
    const cpu = cpuPerOperation(cpuBefore, cpuSnapshot(server.pid), saturationResult.requests.total);
    const generatorAfter = processCpuMs(process.pid);
    const generatorMs = generatorBefore === undefined || generatorAfter === undefined ? undefined : (generatorAfter - generatorBefore) / saturationResult.requests.total;
    const saturation = fromAutocannon(saturationResult);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const outcomes = [...metrics.matchAll(/^khaacho_whatsapp_messages_total\{outcome="(\w+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(" ");
    const orders = /^khaacho_orders_placed\{source="whatsapp"\} (\d+)/m.exec(metrics)?.[1] ?? "0";

    server.kill("SIGTERM");
    await new Promise((r) => server!.once("exit", r));
    server = undefined;

    const helloPort = port + 100;
    hello = startHelloWorld(helloPort);
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`http://127.0.0.1:${helloPort}/`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const bare = fromAutocannon(await run({ url: `http://127.0.0.1:${helloPort}`, connections: 64, duration: 10 }));

    console.log("");
    console.log(line(`webhook paced at ${RATE} req/s, ${STEADY_SECONDS} s`, steady));
    if (hot) console.log(line(`  all phones on one product, ${HOT_SECONDS} s`, hot));
    console.log(line(`webhook saturation (${SATURATION_SECONDS} s, 64 conn)`, saturation));
    console.log(line("bare node:http hello-world (10 s)", bare));
    if (cpu && generatorMs !== undefined) {
      console.log(`CPU per request at saturation: server process ${cpu.process.toFixed(2)} ms, PostgreSQL ${cpu.postgres.toFixed(2)} ms, load generator ${generatorMs.toFixed(2)} ms`);
    }
    console.log(`messages: ${outcomes}; orders placed over WhatsApp: ${orders}`);
    console.log(`targets: p99 < 50 ms at ${RATE} req/s -> ${steady.p99 < 50 ? "met" : "NOT met"}; >= 1000 req/s at saturation -> ${saturation.perSecond >= 1000 ? "met" : "NOT met"}`);
  } finally {
    server?.kill("SIGTERM");
    hello?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await database.drop();
  }
}

await main();
