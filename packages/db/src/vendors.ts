import { DomainError } from "@khaacho/core";
import { checkParty, insertUnique } from "./party.js";
import type { Executor } from "./transaction.js";

/** A vendor (distributor). */
export interface Vendor {
  id: number;
  code: string;
  name: string;
  phone: string;
  area: string | null;
  status: "ACTIVE" | "INACTIVE";
  /** Its record: orders it delivered and orders it rejected (placement breaks ties on cost by it). */
  deliveredOrders: number;
  rejectedOrders: number;
  createdAt: Date;
}

interface VendorRow {
  id: number;
  code: string;
  name: string;
  phone: string;
  area: string | null;
  status: Vendor["status"];
  delivered_orders: number;
  rejected_orders: number;
  created_at: Date;
}

function toVendor(row: VendorRow): Vendor {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    phone: row.phone,
    area: row.area,
    status: row.status,
    deliveredOrders: row.delivered_orders,
    rejectedOrders: row.rejected_orders,
    createdAt: row.created_at,
  };
}

/** Registers a vendor. */
export async function addVendor(executor: Executor, input: { code: string; name: string; phone: string; area?: string | undefined }): Promise<Vendor> {
  const party = checkParty(input);
  const [row] = await insertUnique("vendors", () => executor("vendors").insert(party).returning("*") as Promise<VendorRow[]>, party);
  return toVendor(row as VendorRow);
}

/** Every vendor, by code. */
export async function listVendors(executor: Executor): Promise<Vendor[]> {
  const rows = (await executor("vendors").select("*").orderBy("code")) as VendorRow[];
  return rows.map(toVendor);
}

/** The vendor with this code, or undefined. */
export async function getVendorByCode(executor: Executor, code: string): Promise<Vendor | undefined> {
  const row = (await executor("vendors").where({ code: code.trim() }).first()) as VendorRow | undefined;
  return row ? toVendor(row) : undefined;
}

/** The vendor with this code, or a not_found DomainError naming it. */
export async function requireVendorByCode(executor: Executor, code: string): Promise<Vendor> {
  const vendor = await getVendorByCode(executor, code);
  if (!vendor) throw new DomainError("not_found", `no vendor with code ${code}`, { field: "vendor", value: code });
  return vendor;
}
