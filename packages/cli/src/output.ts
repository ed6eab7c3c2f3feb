/** Where a command writes; tests pass their own. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** The process's own standard streams. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

/** A column of a human table: a header and how to get the cell from a row. */
export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | null | undefined;
  align?: "left" | "right";
}

// Width in terminal cells, counting combining marks (Devanagari vowel signs) as zero.
function displayWidth(text: string): number {
  return [...text.replace(/\p{M}/gu, "")].length;
}

/** Renders rows as an aligned plain-text table. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row) ?? "")));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i] ?? ""))));
  const pad = (text: string, i: number) => {
    const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(text)));
    return columns[i]?.align === "right" ? fill + text : text + fill;
  };
  const lines = [columns.map((c, i) => pad(c.header, i)).join("  "), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const row of cells) lines.push(row.map((cell, i) => pad(cell, i)).join("  ").trimEnd());
  return lines.join("\n");
}

/** One JSON document, as `--json` promises. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
