// npm run bench:orders — order placement under contention on the local PostgreSQL.
// Creates its own database, seeds 100 retailers, 2 vendors and 400 products (each offered by both
// vendors); 16 concurrent clients place 3-line orders (random retailer, random products) for
// BENCH_SECONDS (10), then pgbench's built-in TPC-B runs at 16 clients (-j 2, same duration) in a
// scratch database on the same server; BENCH_ROUNDS (2) such pairs, interleaved so that other load
// on the machine hits both alike. Prints orders/s, p50, p99 and pgbench's tps. Finally the ledger
// verifier runs over everything the bench wrote.
import { spawnSync } from "node:child_process";
import { migrateLatest, openDatabase, placeOrder, verifyLedger } from "@khaacho/db";
import knexFactory from "knex";
import { cpuPerOperation, cpuSnapshot } from "./cpu.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WARMUP_SECONDS = 2;
const RETAILERS = 100;
const VENDORS = 2;
const PRODUCTS = 400;

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin<T>(fn: (knex: knexFactory.Knex) => Promise<T>): Promise<T> {
  const knex = knexFactory({ client: "pg", connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    return await fn(knex);
  } finally {
    await knex.destroy();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function pgbenchArgs(url: string): { args: string[]; db: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  return {
    args: ["-h", parsed.hostname, "-p", parsed.port || "5432", "-U", decodeURIComponent(parsed.username || "postgres")],
    db: parsed.pathname.slice(1),
    env: { ...process.env, ...(parsed.password ? { PGPASSWORD: decodeURIComponent(parsed.password) } : {}) },
  };
}

function pgbenchInit(url: string): void {
  const { args, db, env } = pgbenchArgs(url);
  // pgbench's own guidance: a scale factor at least the client count. At scale 1 every TPC-B
  // transaction updates the one branch row, and pgbench measures that row's lock, not the server.
  const init = spawnSync("pgbench", [...args, "-i", "-q", "-s", String(CLIENTS), db], { encoding: "utf8", env });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr || init.error?.message}`);
}

function pgbenchRun(url: string): number {
  const { args, db, env } = pgbenchArgs(url);
  const run = spawnSync("pgbench", [...args, "-c", String(CLIENTS), "-j", "2", "-T", String(SECONDS), db], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr || run.error?.message}`);
  const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout) ?? /tps = ([\d.]+)/.exec(run.stdout);
  return match ? Number(match[1]) : Number.NaN;
}

async function main(): Promise<void> {
  const stamp = Date.now().toString(36);
  const name = `khaacho_bench_orders_${stamp}`;
  const scratch = `khaacho_bench_pgbench_${stamp}`;
  await admin((k) => k.raw(`create database ${name}`));
  const db = await openDatabase({ databaseUrl: withDatabaseName(ADMIN_URL, name), poolMax: CLIENTS });
  try {
    const knex = db.knex;
    await migrateLatest(knex);
    const vendors = await knex("vendors")
      .insert(Array.from({ length: VENDORS }, (_, i) => ({ code: `V${i + 1}`, name: `Vendor ${i + 1}`, phone: `+9779700000${String(i).padStart(3, "0")}` })))
      .returning("id");
    const products = await knex("products")
      .insert(Array.from({ length: PRODUCTS }, (_, i) => ({ sku: `SKU-${i + 1}`, name: `Product ${i + 1}`, unit: "pc", price_paisa: 5000 + ((i * 7919) % 50000) })))
      .returning(["id", "sku", "price_paisa"]);
    const offers = products.flatMap((p: { id: number; price_paisa: number }, i: number) =>
      [0, 1].map((k) => ({
        vendor_id: (vendors[k] as { id: number }).id,
        product_id: p.id,
        cost_paisa: Math.floor(p.price_paisa * (0.85 + 0.05 * k)),
        stock: 10_000_000,
      })),
    );
    await knex.batchInsert("vendor_products", offers, 500);
    const retailers = (await knex("retailers")
      .insert(Array.from({ length: RETAILERS }, (_, i) => ({ code: `R${i + 1}`, name: `Shop ${i + 1}`, phone: `+9779800000${String(i).padStart(3, "0")}`, credit_limit_paisa: 1e13 })))
      .returning("id")) as { id: number }[];
    const skus = products.map((p: { sku: string }) => p.sku);

    let seq = 0;
    const now = new Date();
    const placeOne = async () => {
      const retailer = retailers[Math.floor(Math.random() * retailers.length)] as { id: number };
      const picked = new Set<string>();
      while (picked.size < 3) picked.add(skus[Math.floor(Math.random() * skus.length)] as string);
      const started = performance.now();
      const result = await placeOrder(knex, {
        retailerId: retailer.id,
        lines: [...picked].map((sku) => ({ sku, quantity: 1 + Math.floor(Math.random() * 5) })),
        idempotencyKey: `bench-${stamp}-${seq++}`,
        source: "api",
        actor: "bench",
        now,
        vatRateBasisPoints: 1300,
        timeZone: "Asia/Kathmandu",
      });
      return { ms: performance.now() - started, ok: result.ok };
    };
    const run = async (seconds: number) => {
      const latencies: number[] = [];
      let refused = 0;
      let failed = 0;
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      const cpuBefore = cpuSnapshot(process.pid);
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < deadline) {
            try {
              const r = await placeOne();
              if (r.ok) latencies.push(r.ms);
              else refused++;
            } catch (error) {
              failed++;
              if (failed <= 3) console.error(`order failed: ${(error as Error).message}`);
            }
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const cpu = cpuPerOperation(cpuBefore, cpuSnapshot(process.pid), latencies.length + refused);
      latencies.sort((a, b) => a - b);
      return { cpu, latencies, elapsed, placed: latencies.length, refused, failed, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };

    console.log(
      `Order bench: ${RETAILERS} retailers, ${PRODUCTS} products x ${VENDORS} vendors, 3-line orders, ${CLIENTS} concurrent clients; ` +
        `${ROUNDS} rounds of ${SECONDS} s orders then ${SECONDS} s pgbench TPC-B (scale ${CLIENTS}, -c ${CLIENTS} -j 2), local PostgreSQL, shared 2-core machine: noisy.`,
    );
    await admin((k) => k.raw(`create database ${scratch}`));
    const scratchUrl = withDatabaseName(ADMIN_URL, scratch);
    const all: number[] = [];
    let placed = 0;
    let refused = 0;
    let failed = 0;
    let orderSeconds = 0;
    const tpsRuns: number[] = [];
    try {
      pgbenchInit(scratchUrl);
      await run(WARMUP_SECONDS);
      for (let round = 1; round <= ROUNDS; round++) {
        const r = await run(SECONDS);
        all.push(...r.latencies);
        placed += r.placed;
        refused += r.refused;
        failed += r.failed;
        orderSeconds += r.elapsed;
        const tps = pgbenchRun(scratchUrl);
        tpsRuns.push(tps);
        const cpuNote = r.cpu ? `; CPU per order: PostgreSQL ${(r.cpu.postgres * 1000).toFixed(0)} us, this process ${(r.cpu.process * 1000).toFixed(0)} us` : "";
        console.log(`round ${round}: ${r.perSecond.toFixed(0)} orders/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms); pgbench ${tps.toFixed(0)} tps${cpuNote}`);
      }
    } finally {
      await admin((k) => k.raw(`drop database if exists ${scratch} with (force)`));
    }
    all.sort((a, b) => a - b);
    const perSecond = placed / orderSeconds;
    const p50 = percentile(all, 50);
    const p99 = percentile(all, 99);
    const tps = tpsRuns.reduce((a, b) => a + b, 0) / tpsRuns.length;
    console.log(`orders: ${placed} placed, ${refused} refused, ${failed} failed`);
    console.log(`orders/s: ${perSecond.toFixed(0)}   p50: ${p50.toFixed(2)} ms   p99: ${p99.toFixed(2)} ms`);
    console.log(`pgbench TPC-B at scale ${CLIENTS}, ${CLIENTS} clients: ${tps.toFixed(0)} tps (mean of ${tpsRuns.length} runs)`);
    const ratio = perSecond / tps;
    console.log(`orders/s vs pgbench tps: ${(ratio * 100).toFixed(0)}%`);
    console.log(
      `targets: >= 50% of pgbench -> ${ratio >= 0.5 ? "met" : "NOT met"}; >= 2000 orders/s -> ${perSecond >= 2000 ? "met" : "NOT met"}; p99 < 20 ms -> ${p99 < 20 ? "met" : "NOT met"}`,
    );
    const report = await verifyLedger(knex);
    console.log(`ledger verify over the bench data: ${report.ok ? "OK" : `${report.violations.length} violation(s)`} (${report.checked.orders} orders)`);
    for (const v of report.violations.slice(0, 10)) console.log(`  [${v.kind}] ${v.message}`);
    if (failed > 0 || !report.ok) process.exitCode = 1;
  } finally {
    await db.close();
    await admin((k) => k.raw(`drop database if exists ${name} with (force)`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
