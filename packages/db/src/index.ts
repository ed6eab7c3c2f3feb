export { openDatabase } from "./database.js";
export type { Database, OpenDatabaseOptions } from "./database.js";
export { lockDataDir } from "./lock.js";
export { migrateLatest, migrateRollback, migrationStatus, MIGRATIONS_DIR } from "./migrations.js";
export { inTransaction, isRetryableTransactionError, isTransaction } from "./transaction.js";
export { prepared } from "./prepared.js";
export { withStatements } from "./statements.js";
export type { Statements } from "./statements.js";
export type { Executor } from "./transaction.js";
export { API_ROLES, findApiToken, insertApiToken, listApiTokens, revokeApiToken, touchApiToken } from "./api-tokens.js";
export type { ApiRole, ApiTokenRecord } from "./api-tokens.js";
export {
  claimDueOutbox,
  deliverOutbox,
  deliveryStatusFromProvider,
  OUTBOX_MAX_ATTEMPTS,
  OUTBOX_SENDING_LEASE_MS,
  OUTBOX_TEMPLATE_RECHECK_MS,
  OutboxSendError,
  outboxBacklog,
  outboxRetryDelayMs,
  planOutboundMessage,
  recordDeliveryStatus,
  WHATSAPP_WINDOW_MS,
} from "./outbox-delivery.js";
export type { DeliveryStatus, OutboundMessage, OutboxDeliveryOptions, OutboxDeliveryReport, OutboxMessage, OutboxSender } from "./outbox-delivery.js";
export { catalogVersion, importCatalog, listProducts, listProductsWithOffers } from "./catalog.js";
export type { CatalogImportOptions, CatalogImportSummary, ProductWithOffers } from "./catalog.js";
export {
  addRetailer,
  findRetailerByPhone,
  getRetailerByCode,
  listRetailers,
  requireRetailerByCode,
  setCreditLimit,
  setRetailerLanguage,
  toRetailer,
} from "./retailers.js";
export type { Retailer, RetailerRow } from "./retailers.js";
export { addVendor, getVendorByCode, listVendors, requireVendorByCode } from "./vendors.js";
export type { Vendor } from "./vendors.js";
export { enqueueMessage } from "./outbox.js";
export type { OutboxEntry } from "./outbox.js";
export { changeOrderStatus, getLatestOrderDetail, getOrderDetail, listOrders, placeOrder } from "./orders.js";
export type { AsOf, ChangeOrderStatusInput, OrderDetail, OrderEventDetail, OrderFilter, OrderItemDetail, OrderSource, OrderSummary, PlaceOrderInput, PlaceOrderResult } from "./orders.js";
export type { OrderRefusal } from "@khaacho/core";
export { getCreditSummary, getVendorPayable, recordPayment, recordVendorSettlement, reversePayment, reverseVendorSettlement } from "./payments.js";
export type { CreditSummary, PaymentAllocationRecord, PaymentRecord, RecordPaymentInput, RecordPaymentResult, VendorPayable, VendorSettlementRecord, VendorSettlementResult } from "./payments.js";
export { ledgerBalances, retailerStatement, verifyLedger } from "./ledger.js";
export type { JournalKind, LedgerBalance, LedgerViolation, RetailerStatement, StatementLine } from "./ledger.js";
