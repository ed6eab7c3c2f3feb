// npm run bench:pipeline — what sending a transaction's BEGIN with its first statement and its
// COMMIT with its last (packages/db/src/pipeline.ts) saves, on the local PostgreSQL.
// One connection runs the shape of a bot message (a transaction of an indexed read and an insert
// run as the last statement) through `openDatabase` (pipelined: 2 round trips) and through a
// plain knex pool (BEGIN, read, insert, COMMIT: 4 round trips), in alternating batches so that
// drift on a shared machine hits both alike. Prints wall time and CPU (this process and the
// PostgreSQL backend) per transaction.
import { inTransaction, openDatabase, withStatements } from "@khaacho/db";
import knexFactory, { type Knex } from "knex";
import { processCpuMs } from "./cpu.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BATCHES = Number(process.env.BENCH_BATCHES ?? 24);
const PER_BATCH = 300;

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function admin(sql: string): Promise<void> {
  const knex = knexFactory({ client: "pg", connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await knex.raw(sql);
  } finally {
    await knex.destroy();
  }
}

const backendPid = async (knex: Knex) => (await knex.raw<{ rows: { pid: number }[] }>("select pg_backend_pid() as pid")).rows[0]!.pid;

const message = (knex: Knex, i: number) =>
  inTransaction(knex, async (trx) => {
    await withStatements(trx, (s) => s.run("bench_open", "select id, v from bench_probe where id = ?::bigint", [1 + (i % 100)]));
    await withStatements(trx, (s) => s.runLast("bench_close", "insert into bench_probe (v) values (?::int)", [i]));
  });

async function main(): Promise<void> {
  const name = `khaacho_bench_pipeline_${Date.now().toString(36)}`;
  await admin(`create database ${name}`);
  const url = withDatabaseName(ADMIN_URL, name);
  const pipelined = (await openDatabase({ databaseUrl: url, poolMax: 1 })).knex;
  const plain = knexFactory({ client: "pg", connection: url, pool: { min: 0, max: 1 } });
  try {
    await plain.raw("create table bench_probe (id bigserial primary key, v int)");
    await plain.raw("insert into bench_probe (v) select g from generate_series(1, 100) g");
    const sides = [
      { label: "pipelined (openDatabase)", knex: pipelined, pid: await backendPid(pipelined), wall: 0, node: 0, backend: 0, n: 0 },
      { label: "plain knex", knex: plain, pid: await backendPid(plain), wall: 0, node: 0, backend: 0, n: 0 },
    ];
    for (const side of sides) for (let i = 0; i < 100; i++) await message(side.knex, i); // warm-up
    for (let batch = 0; batch < BATCHES; batch++) {
      for (const side of sides) {
        const started = performance.now();
        const node = processCpuMs(process.pid) ?? 0;
        const backend = processCpuMs(side.pid) ?? 0;
        for (let i = 0; i < PER_BATCH; i++) await message(side.knex, i);
        side.wall += performance.now() - started;
        side.node += (processCpuMs(process.pid) ?? 0) - node;
        side.backend += (processCpuMs(side.pid) ?? 0) - backend;
        side.n += PER_BATCH;
      }
    }
    console.log(`Transaction of a read and a last insert, one connection, ${BATCHES} alternating batches of ${PER_BATCH}, local PostgreSQL:`);
    for (const s of sides) {
      const us = (ms: number) => ((ms * 1000) / s.n).toFixed(0).padStart(5);
      console.log(`${s.label.padEnd(26)} wall ${us(s.wall)} us   CPU: this process ${us(s.node)} us, PostgreSQL backend ${us(s.backend)} us   per transaction`);
    }
  } finally {
    await pipelined.destroy();
    await plain.destroy();
    await admin(`drop database if exists ${name} with (force)`);
  }
}

await main();
