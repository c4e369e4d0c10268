/**
 * Measurement tables: one row of numbers per measurement time (step, t, loss, sharpness,
 * alignment, …), written with arquero as CSV that pandas reads unchanged (`pd.read_csv`), and
 * optionally as Arrow IPC. Non-finite values NaN are written as empty cells (pandas: NaN).
 *
 * @module
 */
import * as aq from "arquero";
import { writeFileAtomic } from "../../util/atomic_write.ts";

/** One row: column name → number. Rows may differ in their columns. */
export type TableRow = Record<string, number>;

/** The column names of the rows, in first-seen order. */
export function columnNames(rows: readonly TableRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  return [...names];
}

function toTable(rows: readonly TableRow[]) {
  const names = columnNames(rows);
  if (names.length === 0) throw new Error("measurement table: no columns in the rows");
  rows.forEach((row, i) => {
    for (const [name, value] of Object.entries(row)) {
      if (typeof value !== "number") {
        throw new Error(`measurement table: row ${i}, column "${name}" is not a number`);
      }
    }
  });
  const columns: Record<string, Float64Array> = {};
  for (const name of names) {
    columns[name] = Float64Array.from(rows, (row) => row[name] ?? NaN);
  }
  return aq.table(columns);
}

/** The rows as CSV text: a header line of column names, then one line per row. */
export function measurementTableCsv(rows: readonly TableRow[]): string {
  const table = toTable(rows);
  const format = Object.fromEntries(
    table.columnNames().map((name) => [name, (v: number) => Number.isNaN(v) ? null : v]),
  );
  return aq.toCSV(table, { format });
}

/** Parses CSV text written by {@linkcode measurementTableCsv}; empty cells become NaN. */
export function parseMeasurementTable(text: string): TableRow[] {
  const table = aq.fromCSV(text, { autoType: false });
  const names = table.columnNames();
  const rows: TableRow[] = [];
  const objects = table.objects() as Record<string, string | null>[];
  objects.forEach((object, i) => {
    const row: TableRow = {};
    for (const name of names) {
      const cell = object[name];
      const value = cell === null || cell === "" ? NaN : Number(cell);
      if (Number.isNaN(value) && cell !== null && cell !== "" && cell !== "NaN") {
        throw new Error(`measurement table: row ${i}, column "${name}": "${cell}" is not a number`);
      }
      row[name] = value;
    }
    rows.push(row);
  });
  return rows;
}

/** Writes the rows atomically as CSV to `path`, and as Arrow IPC (stream) to `arrowPath` if given. */
export async function writeMeasurementTable(
  path: string,
  rows: readonly TableRow[],
  arrowPath?: string,
): Promise<void> {
  await writeFileAtomic(path, measurementTableCsv(rows));
  if (arrowPath) await writeFileAtomic(arrowPath, aq.toArrowIPC(toTable(rows)));
}

/** Reads a CSV measurement table written by {@linkcode writeMeasurementTable}. */
export async function readMeasurementTable(path: string): Promise<TableRow[]> {
  return parseMeasurementTable(await Deno.readTextFile(path));
}
