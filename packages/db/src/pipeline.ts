import pg from "pg";

// Fewer round trips per transaction on a server connection.
//
// knex opens a transaction by sending `BEGIN;` and waiting for the answer before it runs the first
// statement, and closes it by sending `COMMIT;` after the last one: two round trips that carry no
// work. On every server connection knex's pool creates, this module:
//
// - answers knex's `BEGIN;` at once and sends the BEGIN with the next statement instead: Bind and
//   Execute of a prepared `BEGIN`, then that statement's own messages and its Sync, in one write.
//   Both run before that one Sync, so if the BEGIN fails, PostgreSQL skips the statement (after an
//   error it discards everything up to the next Sync) and the caller gets the BEGIN's error: a
//   statement meant for the transaction never runs outside it. A transaction whose first statement
//   is its COMMIT or ROLLBACK did nothing, and neither is sent.
// - sends a COMMIT right after a statement marked as the transaction's last (`COMMIT_AFTER`,
//   `Statements.runLast`), before its Sync. If the statement fails, the COMMIT is skipped and the
//   caller's ROLLBACK ends the transaction; if the COMMIT fails, the caller gets its error. Once it
//   has committed, knex's own COMMIT is answered without a round trip, and any other statement on
//   the connection before that is refused rather than run outside the transaction.
//
// Statements without parameters (another protocol, with a Sync of its own), cursors and the first
// BEGIN on a connection (which prepares it) go the ordinary way.

const BEGIN_NAME = "khaacho_begin";

/** Marks a query config (a statement with parameters) as its transaction's last: COMMIT follows it in the same round trip. */
export const COMMIT_AFTER = Symbol("khaacho.commitAfter");

interface WireConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(config: { text: string; name: string }): void;
  bind(config: { portal: string; statement: string; values: unknown[] }): void;
  execute(config: { portal: string; rows?: number }): void;
  sync(): void;
}

type Callback = (error: Error | null, result?: unknown) => void;

interface Extras {
  begin: boolean;
  commit: boolean;
  /** The COMMIT sent after the statement succeeded. */
  committed: () => void;
}

const base = pg.Query.prototype as unknown as {
  submit(connection: unknown): void | Error;
  handleError(error: unknown, connection: unknown): void;
  handleCommandComplete(message: unknown, connection: unknown): void;
};

/** A statement sent with a BEGIN in front of it, a COMMIT after it, or both, under its one Sync. */
class PipelinedQuery extends pg.Query {
  readonly #extras: Extras;
  #beginAnswered: boolean;
  #statementAnswered = false;

  constructor(config: pg.QueryConfig, extras: Extras) {
    super(config);
    this.#extras = extras;
    this.#beginAnswered = !extras.begin;
  }

  override submit = (connection: unknown): void | Error => {
    const wire = connection as WireConnection;
    wire.stream.cork?.();
    try {
      if (this.#extras.begin) {
        wire.bind({ portal: "", statement: BEGIN_NAME, values: [] });
        wire.execute({ portal: "" });
      }
      return base.submit.call(this, connection);
    } finally {
      wire.stream.uncork?.();
    }
  };

  // Called by pg after the statement's Execute, in place of its Sync alone.
  _getRows(connection: unknown): void {
    const wire = connection as WireConnection;
    wire.execute({ portal: (this as unknown as { portal: string }).portal });
    if (this.#extras.commit) {
      wire.parse({ text: "COMMIT", name: "" });
      wire.bind({ portal: "", statement: "", values: [] });
      wire.execute({ portal: "" });
    }
    wire.sync();
  }

  // An error before the BEGIN completed is the BEGIN's (the statement was skipped). If its prepared
  // statement is gone from the session (DEALLOCATE, DISCARD), the next BEGIN prepares it again.
  handleError(error: unknown, connection: unknown): void {
    if (!this.#beginAnswered) {
      const wire = connection as WireConnection;
      delete wire.parsedStatements[BEGIN_NAME];
      delete wire.submittedNamedStatements[BEGIN_NAME];
    }
    base.handleError.call(this, error, connection);
  }

  // Completions arrive in order: the BEGIN's (if sent), the statement's, the COMMIT's (if sent).
  // Only the statement's is its result.
  handleCommandComplete(message: unknown, connection: unknown): void {
    if (!this.#beginAnswered) {
      this.#beginAnswered = true;
      return;
    }
    if (!this.#statementAnswered) {
      this.#statementAnswered = true;
      base.handleCommandComplete.call(this, message, connection);
      return;
    }
    if ((message as { text?: string }).text === "COMMIT") this.#extras.committed();
  }
}

const syntheticResult = (command: string) => ({ command, rowCount: null, oid: null, rows: [], fields: [] });

interface QueryConfig {
  text?: unknown;
  name?: unknown;
  values?: unknown;
  submit?: unknown;
  rows?: unknown;
  [COMMIT_AFTER]?: boolean;
}

/**
 * Installs the pipelining above on a node-postgres client. Installed on every connection knex's
 * pool creates for a server; relies on knex's `BEGIN;`, `COMMIT;` and `ROLLBACK` texts.
 */
export function pipelineTransactions(client: pg.Client): void {
  const original = client.query.bind(client) as (config: unknown, values?: unknown, callback?: unknown) => unknown;
  const wire = (client as unknown as { connection: WireConnection }).connection;
  let inTransaction = false;
  let beginPending = false;
  let committed = false;
  let savepoints = 0;
  // BEGIN in a round trip of its own, preparing it on the connection's first use.
  const beginNow = () => original({ name: BEGIN_NAME, text: "BEGIN" }) as Promise<unknown>;

  const settle = (result: Promise<unknown>, done: Callback | undefined): unknown => {
    if (!done) return result;
    result.then(
      (value) => done(null, value),
      (error: Error) => done(error),
    );
    return undefined;
  };

  (client as unknown as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    const q = (typeof config === "object" && config !== null ? config : { text: config }) as QueryConfig;
    const done = (typeof values === "function" ? values : callback) as Callback | undefined;
    const valueList = Array.isArray(values) ? values : q.values;
    const hasValues = Array.isArray(valueList) && valueList.length > 0;
    const text = typeof q.submit !== "function" && typeof q.text === "string" ? q.text : undefined;
    const plain = text !== undefined && !hasValues;

    if (plain && text === "BEGIN;") {
      if (inTransaction) return settle(Promise.reject(new Error("BEGIN on a connection already in a transaction")), done);
      inTransaction = true;
      if (wire.parsedStatements[BEGIN_NAME] !== "BEGIN") {
        const begun = beginNow().catch((error: unknown) => {
          inTransaction = false;
          throw error;
        });
        return settle(begun, done);
      }
      beginPending = true;
      return settle(Promise.resolve(syntheticResult("BEGIN")), done);
    }
    if (plain && (text === "COMMIT;" || text === "ROLLBACK")) {
      const skip = beginPending || committed;
      inTransaction = beginPending = committed = false;
      savepoints = 0;
      // Nothing ran (an empty transaction), or the last statement already committed.
      if (skip) return settle(Promise.resolve(syntheticResult(text.replace(";", ""))), done);
      return original(config, values, callback);
    }
    if (committed) {
      return settle(Promise.reject(new Error("the transaction already committed with its last statement; nothing may run in it after that")), done);
    }
    if (text !== undefined && /^SAVEPOINT /i.test(text)) savepoints++;
    else if (text !== undefined && /^(RELEASE|ROLLBACK TO) SAVEPOINT /i.test(text)) savepoints = Math.max(0, savepoints - 1);

    const commit = q[COMMIT_AFTER] === true;
    if (commit && (!inTransaction || savepoints > 0)) {
      return settle(Promise.reject(new Error("a statement that commits must run as the last one of a top-level transaction")), done);
    }
    if (!beginPending && !commit) return original(config, values, callback);

    if (text !== undefined && pipelinable(q, hasValues, wire)) {
      const begin = beginPending;
      beginPending = false;
      const query = new PipelinedQuery({ ...(q as pg.QueryConfig), ...(Array.isArray(values) ? { values } : {}) }, {
        begin,
        commit,
        committed: () => {
          committed = true;
        },
      });
      return settle(
        new Promise((resolve, reject) => {
          (query as unknown as { callback: Callback }).callback = (error, result) => (error ? reject(error) : resolve(result));
          original(query);
        }),
        done,
      );
    }
    if (commit) return settle(Promise.reject(new Error("a statement that commits must have parameters")), done);
    // Anything else first in a transaction (no parameters, a cursor, a custom submittable): the BEGIN on its own first.
    beginPending = false;
    return settle(
      beginNow().then(() => original(config, typeof values === "function" ? undefined : values) as Promise<unknown>),
      done,
    );
  };
}

// The extended protocol (parameters or a name), no row limit, and nothing pg would refuse before
// sending (a name reused for another text).
function pipelinable(q: QueryConfig, hasValues: boolean, wire: WireConnection): boolean {
  if (q.rows !== undefined) return false;
  if (typeof q.name === "string") {
    const previous = wire.parsedStatements[q.name] ?? wire.submittedNamedStatements[q.name];
    return previous === undefined || previous === q.text;
  }
  return hasValues;
}
