import type { Executor } from "@khaacho/db";
import type { Principal } from "./auth.js";

/** Writes one audit_log row for an action taken through the API. */
export async function auditApiAction(
  executor: Executor,
  principal: Principal,
  entry: { action: string; entityType?: string; entityId?: string; details?: Record<string, unknown>; now: Date },
): Promise<void> {
  await executor("audit_log").insert({
    actor: `api:${principal.name}#${principal.tokenId}`,
    action: entry.action,
    entity_type: entry.entityType ?? null,
    entity_id: entry.entityId ?? null,
    details: JSON.stringify({ role: principal.role, ...entry.details }),
    created_at: entry.now,
  });
}
