/**
 * A small PNG reader written from the PNG specification (ISO/IEC 15948, W3C PNG 2nd edition),
 * used by the tests as an independent check of the renderer's output: signature, chunk CRCs,
 * IHDR, and the pixels (zlib inflate, then the five scanline filters). It reads only what the
 * renderer writes: 8-bit RGB or RGBA, not interlaced.
 *
 * @module
 */

/** The eight bytes every PNG starts with (spec §5.2). */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The IHDR fields (spec §11.2.2). */
export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  compression: number;
  filter: number;
  interlace: number;
}

/** One chunk: its 4-letter type and data. */
export interface PngChunk {
  type: string;
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as defined in the PNG spec's Annex D. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Splits a PNG into chunks, checking the signature and every chunk's CRC. */
export function readPngChunks(png: Uint8Array): PngChunk[] {
  PNG_SIGNATURE.forEach((b, i) => {
    if (png[i] !== b) throw new Error(`byte ${i} of the PNG signature is ${png[i]}, not ${b}`);
  });
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = view.getUint32(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    const type = String.fromCharCode(...typeAndData.subarray(0, 4));
    if (crc32(typeAndData) !== view.getUint32(at + 8 + length)) {
      throw new Error(`chunk ${type} at byte ${at} has a wrong CRC`);
    }
    chunks.push({ type, data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  if (chunks[0]?.type !== "IHDR") throw new Error("the first chunk is not IHDR");
  if (chunks.at(-1)?.type !== "IEND") throw new Error("the last chunk is not IEND");
  return chunks;
}

/** Parses the IHDR chunk. */
export function readPngHeader(png: Uint8Array): PngHeader {
  const ihdr = readPngChunks(png)[0].data;
  if (ihdr.length !== 13) throw new Error(`IHDR has ${ihdr.length} bytes, not 13`);
  const view = new DataView(ihdr.buffer, ihdr.byteOffset, ihdr.byteLength);
  return {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: ihdr[8],
    colorType: ihdr[9],
    compression: ihdr[10],
    filter: ihdr[11],
    interlace: ihdr[12],
  };
}

/**
 * Decodes an 8-bit RGB/RGBA non-interlaced PNG to RGBA pixels, row-major; `onFilter` sees each
 * row's filter type (so a test can tell which filters it exercised).
 */
export async function decodePngRgba(
  png: Uint8Array,
  onFilter: (type: number) => void = () => {},
): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const h = readPngHeader(png);
  const channels = h.colorType === 6 ? 4 : h.colorType === 2 ? 3 : 0;
  if (h.bitDepth !== 8 || channels === 0 || h.interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${h.bitDepth}, colour ${h.colorType}`);
  }
  const idat = readPngChunks(png).filter((c) => c.type === "IDAT").map((c) => c.data.slice());
  const stream = new Blob(idat).stream().pipeThrough(new DecompressionStream("deflate"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const stride = h.width * channels;
  if (raw.length !== h.height * (stride + 1)) throw new Error("IDAT has the wrong length");
  const out = new Uint8Array(h.height * stride);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)];
    onFilter(filter);
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[y * stride + i - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`row ${y} has filter type ${filter}`);
      out[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(h.width * h.height * 4);
  for (let p = 0; p < h.width * h.height; p++) {
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = out[p * channels + k];
    rgba[p * 4 + 3] = channels === 4 ? out[p * 4 + 3] : 255;
  }
  return { width: h.width, height: h.height, rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
