/**
 * File formats the artifacts use: NumPy `.npy` arrays and measurement tables (CSV with one
 * column per measured quantity), both readable by any tool without this project.
 *
 * @module
 */
export { decodeNpy, encodeNpy, type NpyArray, type NpyData } from "./npy.ts";
export {
  columnNames,
  measurementTableCsv,
  parseMeasurementTable,
  readMeasurementTable,
  writeMeasurementTable,
} from "./measurement_table.ts";
