import { assertEquals, assertThrows } from "@std/assert";
import { Resvg } from "@resvg/resvg-js";
import {
  crc32,
  decodePngRgba,
  PNG_SIGNATURE,
  readPngChunks,
  readPngHeader,
} from "./png_test_support.ts";

Deno.test("crc32 gives the standard check value of CRC-32/ISO-HDLC", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("decodePngRgba reads back known pixels: two coloured halves drawn by resvg", async () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="7" height="5">` +
    `<rect width="3" height="5" fill="#102030"/><rect x="3" width="4" height="5" fill="#c0ffee"/></svg>`;
  const png = new Uint8Array(new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
  assertEquals(readPngHeader(png).width, 7);
  const { width, height, rgba } = await decodePngRgba(png);
  assertEquals([width, height], [7, 5]);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 7; x++) {
      const p = (y * 7 + x) * 4;
      const want = x < 3 ? [0x10, 0x20, 0x30, 255] : [0xc0, 0xff, 0xee, 255];
      assertEquals(Array.from(rgba.subarray(p, p + 4)), want, `pixel ${x},${y}`);
    }
  }
});

Deno.test("readPngChunks rejects a bad signature and a corrupted chunk", () => {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>`;
  const png = new Uint8Array(new Resvg(svg).render().asPng());
  assertEquals(readPngChunks(png).at(-1)?.type, "IEND");
  const badSig = png.slice();
  badSig[1] = 0;
  assertThrows(() => readPngChunks(badSig), Error, "signature");
  const badCrc = png.slice();
  badCrc[16] ^= 1; // inside IHDR's data
  assertThrows(() => readPngChunks(badCrc), Error, "IHDR at byte 8 has a wrong CRC");
});

Deno.test("decodePngRgba matches resvg's raw pixel buffer on a detailed opaque image", async () => {
  // Opaque (white background), so straight and premultiplied alpha agree.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90">` +
    `<defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/>` +
    `<stop offset="1" stop-color="#00f"/></linearGradient></defs>` +
    `<rect width="160" height="90" fill="url(#g)"/>` +
    `<path d="M0 90 L80 5 L160 80" stroke="#0a0" stroke-width="3" fill="none"/></svg>`;
  const image = new Resvg(svg, { background: "white" }).render();
  const { rgba } = await decodePngRgba(new Uint8Array(image.asPng()));
  assertEquals(rgba, new Uint8Array(image.pixels));
});

/** A PNG chunk: length, type, data, CRC over type and data (spec §5.3). */
function chunk(type: string, data: number[] | Uint8Array): number[] {
  const body = [...new TextEncoder().encode(type), ...data];
  const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return [...u32(data.length), ...body, ...u32(crc32(new Uint8Array(body)))];
}

Deno.test("decodePngRgba undoes the Sub, Paeth, Average and Up filters of a hand-made PNG", async () => {
  // 2×4 RGB. Filtered bytes worked out by hand from the spec's predictors (§9.2), e.g. row 1
  // pixel 1, channel 0: a=15, b=40, c=10, p=45 → Paeth picks b (|p−b|=5) → 100 − 40 = 60.
  const raw = [
    [1, 10, 20, 30, 30, 30, 30], // Sub:   (10,20,30) (40,50,60)
    [4, 5, 5, 5, 60, 60, 60], // Paeth: (15,25,35) (100,110,120)
    [3, 13, 8, 3, 140, 191, 185], // Average: (20,20,20) (200,0,255)
    [2, 5, 10, 15, 56, 0, 1], // Up:    (25,30,35) (0,0,0)
  ].flat();
  const zlib = new Uint8Array(
    await new Response(
      new Blob([new Uint8Array(raw)]).stream().pipeThrough(new CompressionStream("deflate")),
    ).arrayBuffer(),
  );
  const png = new Uint8Array([
    ...PNG_SIGNATURE,
    ...chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 4, 8, 2, 0, 0, 0]),
    ...chunk("IDAT", zlib),
    ...chunk("IEND", []),
  ]);
  const filters: number[] = [];
  const { width, height, rgba } = await decodePngRgba(png, (f) => filters.push(f));
  assertEquals([width, height, filters], [2, 4, [1, 4, 3, 2]]);
  assertEquals(
    Array.from(rgba),
    [
      [10, 20, 30, 255, 40, 50, 60, 255],
      [15, 25, 35, 255, 100, 110, 120, 255],
      [20, 20, 20, 255, 200, 0, 255, 255],
      [25, 30, 35, 255, 0, 0, 0, 255],
    ].flat(),
  );
});
