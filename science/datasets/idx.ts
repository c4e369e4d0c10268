/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a magic
 * number (two zero bytes, a type code, the number of dimensions), each dimension as a big-endian
 * uint32, then the values in row-major order. Only unsigned bytes (type 0x08) occur in these
 * datasets; gzipped files are decompressed first.
 *
 * @module
 */

/** An IDX array of unsigned bytes with its shape. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "short",
  0x0c: "int",
  0x0d: "float",
  0x0e: "double",
};

/** Parses the bytes of an (uncompressed) IDX file; `name` is used in error messages. */
export function parseIdx(bytes: Uint8Array, name = "IDX file"): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: truncated: ${bytes.length} bytes, no IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${name}: not an IDX file (bad magic number 0x${hex(bytes.subarray(0, 4))}; ` +
        "expected 0x0000 then a type code and a dimension count)",
    );
  }
  const type = bytes[2], dims = bytes[3];
  if (type !== 0x08) {
    const what = TYPE_NAMES[type] ?? "an unknown type";
    throw new Error(
      `${name}: IDX type 0x${type.toString(16)} (${what}) is not supported; only 0x08`,
    );
  }
  if (dims === 0) throw new Error(`${name}: IDX header declares 0 dimensions`);
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength) {
    throw new Error(
      `${name}: truncated: header needs ${headerLength} bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const available = bytes.length - headerLength;
  if (available < count) {
    throw new Error(
      `${name}: truncated: shape [${shape}] needs ${count} data bytes, file has ${available}`,
    );
  }
  if (available > count) {
    throw new Error(
      `${name}: ${available - count} unexpected bytes after the data of shape [${shape}]`,
    );
  }
  return { shape, data: bytes.slice(headerLength) };
}

/** Decompresses gzip bytes, with a clear error for corrupt or truncated input. */
export async function gunzip(bytes: Uint8Array, name = "gzip file"): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
      .pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(
      `${name}: corrupt or truncated gzip data (${e instanceof Error ? e.message : e})`,
    );
  }
}

/** Reads an IDX file from disk, decompressing it when its name ends in `.gz`. */
export async function readIdxFile(path: string): Promise<{ array: IdxArray; bytes: Uint8Array }> {
  const raw = await Deno.readFile(path);
  const bytes = path.endsWith(".gz") ? await gunzip(raw, path) : raw;
  return { array: parseIdx(bytes, path), bytes };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
