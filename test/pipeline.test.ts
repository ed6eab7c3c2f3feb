// On a server connection a transaction's BEGIN is sent with its first statement, and its COMMIT
// with a statement run as its last, each in one write and under one Sync (packages/db/src/pipeline.ts).
// These tests pin what that must never change: the first statement runs inside the transaction or
// not at all; the last one commits with everything before it or nothing commits; nothing runs
// outside the transaction; and every way a transaction can start or end still works.
import { inTransaction, withStatements } from "@khaacho/db";
import type { Knex } from "knex";
import { beforeAll, expect, it } from "vitest";
import { describeEachDatabase } from "./support/databases.js";

type SocketWrite = (...args: unknown[]) => void;
interface Wire {
  stream: { _write: SocketWrite; _writev: SocketWrite };
}

/** Counts the socket writes (corked messages leave as one) the single pooled connection makes while `work` runs. */
async function countWrites(knex: Knex, work: () => Promise<unknown>): Promise<number> {
  const connection = (await knex.client.acquireConnection()) as { connection: Wire };
  await knex.client.releaseConnection(connection);
  const stream = connection.connection.stream;
  const { _write: single, _writev: several } = stream;
  let writes = 0;
  stream._write = (...args: unknown[]) => {
    writes++;
    single.apply(stream, args);
  };
  stream._writev = (...args: unknown[]) => {
    writes++;
    several.apply(stream, args);
  };
  try {
    await work();
  } finally {
    stream._write = single;
    stream._writev = several;
  }
  return writes;
}

const count = async (knex: Knex) => Number((await knex("deferred_begin_probe").count<{ n: string }[]>({ n: "*" }))[0]?.n);

/** Runs `work` in a transaction (through `inTransaction`) that then fails, and checks the failure reached the caller. */
async function expectRolledBack(knex: Knex, work: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
  await expect(
    inTransaction(knex, async (trx) => {
      await work(trx);
      throw new Error("roll back");
    }),
  ).rejects.toThrow("roll back");
}

describeEachDatabase(
  "a transaction's BEGIN travels with its first statement, its COMMIT with its last",
  (ctx) => {
    beforeAll(async () => {
      await ctx.db.knex.raw("create table deferred_begin_probe (id int primary key)");
      // The first transaction on a connection prepares the BEGIN the ordinary way.
      await ctx.db.knex.transaction(async (trx) => trx.raw("select ?::int", [1]));
    });

    it("sends BEGIN and the first statement in one write, COMMIT in another", async () => {
      const knex = ctx.db.knex;
      const writes = await countWrites(knex, () => knex.transaction(async (trx) => trx("deferred_begin_probe").insert({ id: 1 })));
      expect(writes).toBe(2);
      expect(await count(knex)).toBe(1);
      await knex("deferred_begin_probe").del();
    });

    it("the first statement runs inside the transaction: a rollback undoes it (knex and bare statements)", async () => {
      const knex = ctx.db.knex;
      await expectRolledBack(knex, (trx) => trx("deferred_begin_probe").insert({ id: 2 }));
      await expectRolledBack(knex, (trx) => withStatements(trx, (statements) => statements.run("probe_insert", "insert into deferred_begin_probe (id) values (?::int)", [3])));
      // Without parameters the statement goes the ordinary way, after a BEGIN of its own.
      await expectRolledBack(knex, (trx) => trx.raw("insert into deferred_begin_probe (id) values (4)"));
      expect(await count(knex)).toBe(0);
    });

    it("when the BEGIN fails the first statement does not run, and the caller gets the error", async () => {
      const knex = ctx.db.knex;
      // Drop the prepared BEGIN behind the client's back: its next pipelined Bind fails.
      await knex.raw("deallocate khaacho_begin");
      await expect(knex.transaction(async (trx) => trx("deferred_begin_probe").insert({ id: 5 }))).rejects.toThrow(/khaacho_begin/);
      expect(await count(knex)).toBe(0);
      // The next transaction prepares the BEGIN again and works.
      await expectRolledBack(knex, (trx) => trx("deferred_begin_probe").insert({ id: 5 }));
      expect(await count(knex)).toBe(0);
      // The connection is not left inside a transaction: a plain statement commits on its own.
      await knex("deferred_begin_probe").insert({ id: 6 });
      expect(await knex.raw("select count(*)::int as n from pg_stat_activity where pid = pg_backend_pid() and state like 'idle in transaction%'").then((r) => r.rows[0].n)).toBe(0);
      await knex("deferred_begin_probe").del();
    });

    it("an error in the first statement rolls back and leaves the connection usable", async () => {
      const knex = ctx.db.knex;
      await knex("deferred_begin_probe").insert({ id: 7 });
      await expect(knex.transaction(async (trx) => trx("deferred_begin_probe").insert({ id: 7 }))).rejects.toThrow(/duplicate key/);
      await knex.transaction(async (trx) => {
        await trx("deferred_begin_probe").insert({ id: 8 });
        await trx("deferred_begin_probe").insert({ id: 9 });
      });
      expect(await count(knex)).toBe(3);
      await knex("deferred_begin_probe").del();
    });

    it("a last statement commits in the same write, and knex's COMMIT after it sends nothing", async () => {
      const knex = ctx.db.knex;
      const insert = "insert into deferred_begin_probe (id) values (?::int)";
      const writes = await countWrites(knex, () =>
        inTransaction(knex, async (trx) => {
          await withStatements(trx, (statements) => statements.run("probe_insert", insert, [11]));
          await withStatements(trx, (statements) => statements.runLast("probe_insert", insert, [12]));
        }),
      );
      expect(writes).toBe(2);
      // A transaction of one statement is one write: BEGIN, the statement and COMMIT.
      expect(await countWrites(knex, () => inTransaction(knex, (trx) => withStatements(trx, (statements) => statements.runLast("probe_insert", insert, [13]))))).toBe(1);
      expect(await count(knex)).toBe(3);
      await knex("deferred_begin_probe").del();
    });

    it("when the last statement fails nothing commits, and the connection is usable", async () => {
      const knex = ctx.db.knex;
      await knex("deferred_begin_probe").insert({ id: 20 });
      const insert = "insert into deferred_begin_probe (id) values (?::int)";
      await expect(
        inTransaction(knex, async (trx) => {
          await withStatements(trx, (statements) => statements.run("probe_insert", insert, [21]));
          await withStatements(trx, (statements) => statements.runLast("probe_insert", insert, [20]));
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await knex("deferred_begin_probe").pluck("id")).toEqual([20]);
      await knex.transaction(async (trx) => trx("deferred_begin_probe").insert({ id: 22 }));
      expect(await count(knex)).toBe(2);
      await knex("deferred_begin_probe").del();
    });

    it("when the COMMIT itself fails (a deferred constraint) the caller gets its error and nothing commits", async () => {
      const knex = ctx.db.knex;
      await knex.raw("create table deferred_begin_parent (id int primary key)");
      await knex.raw("create table deferred_begin_child (id int primary key, parent int references deferred_begin_parent deferrable initially deferred)");
      await expect(
        inTransaction(knex, async (trx) => {
          await trx("deferred_begin_probe").insert({ id: 30 });
          await withStatements(trx, (statements) => statements.runLast("probe_child", "insert into deferred_begin_child (id, parent) values (?::int, ?::int)", [1, 999]));
        }),
      ).rejects.toThrow(/foreign key/);
      expect(await count(knex)).toBe(0);
      expect(await knex("deferred_begin_child").count<{ n: number }[]>({ n: "*" })).toEqual([{ n: 0 }]);
    });

    it("after the last statement nothing else runs in the transaction, and runLast needs a transaction", async () => {
      const knex = ctx.db.knex;
      const insert = "insert into deferred_begin_probe (id) values (?::int)";
      await expect(
        inTransaction(knex, async (trx) => {
          await withStatements(trx, (statements) => statements.runLast("probe_insert", insert, [40]));
          await trx("deferred_begin_probe").insert({ id: 41 });
        }),
      ).rejects.toThrow(/already committed/);
      // The last statement had committed; the refused one never ran, in the transaction or outside it.
      expect(await knex("deferred_begin_probe").pluck("id")).toEqual([40]);
      await expect(withStatements(knex, (statements) => statements.runLast("probe_insert", insert, [42]))).rejects.toThrow(/needs one/);
      expect(await count(knex)).toBe(1);
      await knex("deferred_begin_probe").del();
    });

    it("an empty transaction sends nothing, and the next one is a transaction again", async () => {
      const knex = ctx.db.knex;
      expect(await countWrites(knex, () => knex.transaction(async () => undefined))).toBe(0);
      await expectRolledBack(knex, (trx) => trx("deferred_begin_probe").insert({ id: 10 }));
      expect(await count(knex)).toBe(0);
    });
  },
  { targets: ["postgres"], poolMax: 1 },
);
