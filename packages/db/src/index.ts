export { openDatabase } from "./database.js";
export type { Database, OpenDatabaseOptions } from "./database.js";
export { lockDataDir } from "./lock.js";
export { migrateLatest, migrateRollback, migrationStatus, MIGRATIONS_DIR } from "./migrations.js";
export { inTransaction, isRetryableTransactionError, isTransaction } from "./transaction.js";
export type { Executor } from "./transaction.js";
