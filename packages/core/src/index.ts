export { addDays, BUSINESS_TIME_ZONE, businessDate, daysBetween, isTimeZone } from "./business-time.js";
export { CATALOG_REQUIRED_COLUMNS, parseCatalogCsv } from "./catalog-csv.js";
export type { CatalogCsvResult, CatalogRow, CsvLineError } from "./catalog-csv.js";
export { parseConfig, requireConfig } from "./config.js";
export type { Config, Env } from "./config.js";
export { DomainError, ErrorCode, isDomainError } from "./errors.js";
export { applyRateHalfUp, assertPaisa, formatRupees, PAISA_PER_RUPEE, parseRupees, requireRupees } from "./money.js";
export { normalizePhone } from "./phone.js";
export type { PhoneCheck } from "./phone.js";
