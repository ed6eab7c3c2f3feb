import { DomainError, normalizePhone } from "@khaacho/core";

// Retailers and vendors are both parties with a code, a name and a WhatsApp number; they are
// validated the same way and their unique columns clash the same way.

/** Retailer and vendor codes: short, typed by admins, safe in URLs and file names. */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Throws the invalid_input DomainError for one field. */
export function invalid(field: string, message: string, value?: unknown): never {
  throw new DomainError("invalid_input", message, { field, ...(value === undefined ? {} : { value }) });
}

/** Checks the fields shared by retailers and vendors; returns them normalised. */
export function checkParty(input: { code: string; name: string; phone: string; area?: string | undefined }) {
  const code = input.code.trim();
  if (!CODE_PATTERN.test(code)) invalid("code", `code "${input.code}" must be 1-32 letters, digits, '-' or '_', starting with a letter or digit`, input.code);
  const name = input.name.trim();
  if (!name) invalid("name", "name must not be empty");
  if (name.length > 120) invalid("name", "name must be at most 120 characters");
  const phone = normalizePhone(input.phone);
  if (!phone.ok) invalid("phone", `phone ${phone.reason}`, input.phone);
  const area = input.area?.trim() || null;
  return { code, name, phone: phone.phone, area };
}

/** Runs an insert; a unique violation becomes a conflict DomainError naming the field that clashed. */
export async function insertUnique<T>(table: string, work: () => Promise<T>, values: { code: string; phone: string }): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const constraint = (error as { constraint?: string }).constraint ?? "";
    if ((error as { code?: string }).code === "23505") {
      if (constraint.includes("phone")) throw new DomainError("conflict", `a ${table.slice(0, -1)} with phone ${values.phone} already exists`, { field: "phone", value: values.phone });
      throw new DomainError("conflict", `a ${table.slice(0, -1)} with code ${values.code} already exists`, { field: "code", value: values.code });
    }
    throw error;
  }
}
