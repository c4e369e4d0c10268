import { assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  CIFAR10_RECORD_BYTES,
  cifar10BatchNames,
  concatBatches,
  parseCifar10Batch,
} from "./cifar10.ts";
import { readTar } from "./tar.ts";

/** A CIFAR-10 record written from the format's definition: label, then R, G, B 32×32 planes. */
function record(
  label: number,
  pixel: (channel: number, row: number, col: number) => number,
): number[] {
  const out = [label];
  for (let c = 0; c < 3; c++) {
    for (let r = 0; r < 32; r++) for (let k = 0; k < 32; k++) out.push(pixel(c, r, k));
  }
  return out;
}

Deno.test("cifar10: parses records into labels and channel-major images", () => {
  const bytes = Uint8Array.from([
    ...record(3, (c, r, k) => (c * 50 + r + k) % 256),
    ...record(9, () => 7),
  ]);
  const batch = parseCifar10Batch(bytes);
  assertEquals(batch.count, 2);
  assertEquals(Array.from(batch.labels), [3, 9]);
  // Green plane, row 2, column 5 of the first image: offset 1024 + 2·32 + 5.
  assertEquals(batch.images[1024 + 69], 57);
  assertEquals(batch.images[3072 + 100], 7);
  const both = concatBatches([batch, batch]);
  assertEquals(Array.from(both.labels), [3, 9, 3, 9]);
  assertEquals(cifar10BatchNames("train").length, 5);
});

Deno.test("cifar10: truncated, empty and corrupt batches are clear errors", () => {
  const one = Uint8Array.from(record(1, () => 0));
  assertThrows(
    () => parseCifar10Batch(one.subarray(0, 3000), "b.bin"),
    Error,
    "b.bin: truncated or corrupt: 3000 bytes",
  );
  assertThrows(() => parseCifar10Batch(new Uint8Array(0)), Error, "empty file");
  const bad = Uint8Array.from([...one, ...record(12, () => 0)]);
  assertThrows(() => parseCifar10Batch(bad), Error, "record 1 has label 12");
  assertEquals(CIFAR10_RECORD_BYTES, 3073);
});

Deno.test("tar: reads an archive written by the system's tar, rejects corrupt ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const inner = join(dir, "cifar-10-batches-bin");
    await Deno.mkdir(inner);
    const batch = Uint8Array.from([...record(4, () => 1), ...record(5, () => 2)]);
    await Deno.writeFile(join(inner, "test_batch.bin"), batch);
    await Deno.writeTextFile(join(inner, "batches.meta.txt"), "airplane\n");
    const out = await new Deno.Command("tar", {
      args: ["-cf", "a.tar", "cifar-10-batches-bin"],
      cwd: dir,
    }).output();
    assertEquals(out.code, 0);
    const bytes = await Deno.readFile(join(dir, "a.tar"));
    const files = readTar(bytes);
    assertEquals(files.get("cifar-10-batches-bin/test_batch.bin"), batch);
    assertEquals(Array.from(parseCifar10Batch(files.get(cifar10BatchNames("test")[0])!).labels), [
      4,
      5,
    ]);
    const corrupt = bytes.slice();
    corrupt[10] ^= 0xff;
    assertThrows(() => readTar(corrupt, "c.tar"), Error, "c.tar: corrupt header at byte 0");
    assertThrows(() => readTar(bytes.subarray(0, 2048), "t.tar"), Error, "t.tar: truncated");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
