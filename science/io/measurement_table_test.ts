import { assertEquals, assertThrows } from "@std/assert";
import { parse } from "@std/csv";
import { join } from "@std/path";
import { tableFromIPC } from "@uwdata/flechette";
import {
  measurementTableCsv,
  parseMeasurementTable,
  readMeasurementTable,
  type TableRow,
  writeMeasurementTable,
} from "./measurement_table.ts";

const rows: TableRow[] = [
  { step: 0, t: 0, loss: 0.1 + 0.2, sharpness: 1e-300 },
  { step: 1, t: 0.01, loss: -0, align_mean: 0.123456789012345 },
  { step: 2, t: 2 ** 53, loss: NaN, sharpness: -1.5e12, align_mean: 1 / 3 },
];

Deno.test("measurement table: CSV follows RFC 4180 as read by an independent parser", () => {
  const text = measurementTableCsv(rows);
  const cells = parse(text) as string[][];
  assertEquals(cells[0], ["step", "t", "loss", "sharpness", "align_mean"]);
  assertEquals(cells.length, 4);
  assertEquals(cells[1], ["0", "0", "0.30000000000000004", "1e-300", ""]);
  assertEquals(cells[3][2], "", "NaN is an empty cell");
  assertEquals(Number(cells[3][4]), 1 / 3, "full precision");
});

Deno.test("measurement table: write then read round-trips every value, Arrow too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = join(dir, "m.csv"), arrow = join(dir, "m.arrow");
    await writeMeasurementTable(csv, rows, arrow);
    const back = await readMeasurementTable(csv);
    const want = rows.map((r) => ({
      step: r.step,
      t: r.t,
      loss: r.loss,
      sharpness: r.sharpness ?? NaN,
      align_mean: r.align_mean ?? NaN,
    }));
    assertEquals(back, want);
    const table = tableFromIPC(await Deno.readFile(arrow));
    assertEquals(table.numRows, 3);
    assertEquals(Array.from(table.getChild("sharpness")!.toArray() as Float64Array), [
      1e-300,
      NaN,
      -1.5e12,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measurement table: clear errors for bad cells and empty rows", () => {
  assertThrows(() => parseMeasurementTable("a,b\n1,x\n"), Error, 'row 0, column "b": "x"');
  assertThrows(() => measurementTableCsv([]), Error, "no columns");
  assertThrows(
    () => measurementTableCsv([{ a: "1" as unknown as number }]),
    Error,
    'column "a" is not a number',
  );
});
