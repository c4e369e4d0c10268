/**
 * Reads and writes NumPy `.npy` files (format version 1.0, little-endian, C order), so that
 * datasets and checkpoints load unchanged with `numpy.load`.
 *
 * @module
 */

/** The typed arrays `.npy` files hold here, and their NumPy dtype strings. */
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array;

/** An array with its shape, as stored in a `.npy` file. */
export interface NpyArray<T extends NpyData = NpyData> {
  data: T;
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

function dtypeOf(data: NpyData): string {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Int32Array) return "<i4";
  return "|u1";
}

/** Encodes an array as the bytes of a `.npy` file. */
export function encodeNpy({ data, shape }: NpyArray): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`npy: shape [${shape}] holds ${count} values, the data has ${data.length}`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${dtypeOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // The preamble (10 bytes) plus the header, ending in a newline, is padded to 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

/** Decodes the bytes of a `.npy` file; throws a clear error on anything it does not support. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("npy: not a .npy file (bad magic number)");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error("npy: malformed header");
  if (fortran === "True") throw new Error("npy: Fortran-ordered arrays are not supported");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLength;
  const body = bytes.slice(offset); // copy: typed arrays need an aligned buffer
  const make = (): NpyData => {
    switch (descr) {
      case "<f4":
        return new Float32Array(body.buffer, 0, count);
      case "<f8":
        return new Float64Array(body.buffer, 0, count);
      case "<i4":
        return new Int32Array(body.buffer, 0, count);
      case "|u1":
      case "<u1":
        return new Uint8Array(body.buffer, 0, count);
      default:
        throw new Error(`npy: dtype ${descr} is not supported (use <f4, <f8, <i4 or |u1)`);
    }
  };
  const width = { "<f4": 4, "<f8": 8, "<i4": 4, "|u1": 1, "<u1": 1 }[descr] ?? 1;
  if (body.length < count * width) {
    throw new Error(`npy: truncated file: ${body.length} data bytes, expected ${count * width}`);
  }
  return { data: make(), shape };
}
