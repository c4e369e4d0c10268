import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { gunzip, parseIdx, readIdxFile } from "./idx.ts";

/** An IDX file written byte by byte from the format's definition. */
function idxBytes(type: number, shape: number[], values: number[]): Uint8Array {
  const bytes: number[] = [0, 0, type, shape.length];
  for (const d of shape) bytes.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...bytes, ...values]);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("idx: parses a 2×3×2 image file and a label file", () => {
  const pixels = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
  const images = parseIdx(idxBytes(0x08, [2, 3, 2], pixels));
  assertEquals(images.shape, [2, 3, 2]);
  assertEquals(Array.from(images.data), pixels);
  // A dimension above 255 exercises the big-endian decoding.
  const labels = parseIdx(idxBytes(0x08, [300], Array.from({ length: 300 }, (_, i) => i % 10)));
  assertEquals(labels.shape, [300]);
  assertEquals(labels.data[299], 9);
});

Deno.test("idx: reads gzipped files from disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = idxBytes(0x08, [3], [7, 8, 9]);
    await Deno.writeFile(join(dir, "l.gz"), await gzip(raw));
    await Deno.writeFile(join(dir, "l"), raw);
    assertEquals(Array.from((await readIdxFile(join(dir, "l.gz"))).array.data), [7, 8, 9]);
    assertEquals((await readIdxFile(join(dir, "l"))).bytes, raw);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("idx: corrupt and truncated files are clear errors", async () => {
  const good = idxBytes(0x08, [2, 2], [1, 2, 3, 4]);
  assertThrows(() => parseIdx(Uint8Array.of(0, 0, 8)), Error, "truncated");
  const badMagic = good.slice();
  badMagic[0] = 0x1f;
  assertThrows(
    () => parseIdx(badMagic, "f.idx"),
    Error,
    "f.idx: not an IDX file (bad magic number 0x1f000802",
  );
  assertThrows(
    () => parseIdx(idxBytes(0x0d, [1], [0, 0, 0, 0])),
    Error,
    "0xd (float) is not supported",
  );
  assertThrows(() => parseIdx(idxBytes(0x08, [], [])), Error, "0 dimensions");
  assertThrows(() => parseIdx(good.subarray(0, 10)), Error, "header needs 12 bytes, file has 10");
  assertThrows(() => parseIdx(good.subarray(0, 14)), Error, "needs 4 data bytes, file has 2");
  assertThrows(() => parseIdx(Uint8Array.from([...good, 0])), Error, "1 unexpected bytes");
  const gz = await gzip(good);
  await assertRejects(
    () => gunzip(gz.subarray(0, gz.length - 6), "x.gz"),
    Error,
    "x.gz: corrupt or truncated gzip",
  );
});
