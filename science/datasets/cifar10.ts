/**
 * The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html): each record is one
 * label byte (0–9) then 3072 pixel bytes, the red, green and blue 32×32 planes in row-major order.
 * Batches are `data_batch_1.bin` … `data_batch_5.bin` (train) and `test_batch.bin` (test), 10000
 * records each, inside `cifar-10-batches-bin/` of the gzipped tar archive.
 *
 * @module
 */

/** Bytes of one record: the label and a 3×32×32 image. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** Images (N × 3072, channel-major: R plane, G plane, B plane) and labels of CIFAR-10 records. */
export interface CifarBatch {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Parses one CIFAR-10 binary batch file, with clear errors for truncated or corrupt files. */
export function parseCifar10Batch(bytes: Uint8Array, name = "CIFAR-10 batch"): CifarBatch {
  if (bytes.length === 0) throw new Error(`${name}: empty file`);
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new Error(
      `${name}: truncated or corrupt: ${bytes.length} bytes is not a whole number of ` +
        `${CIFAR10_RECORD_BYTES}-byte records`,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * 3072), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR10_RECORD_BYTES;
    if (bytes[at] > 9) {
      throw new Error(`${name}: record ${i} has label ${bytes[at]}; labels are 0–9`);
    }
    labels[i] = bytes[at];
    images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), i * 3072);
  }
  return { images, labels, count };
}

/** The batch files of a split, in order. */
export function cifar10BatchNames(split: "train" | "test"): string[] {
  return split === "test"
    ? ["cifar-10-batches-bin/test_batch.bin"]
    : [1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`);
}

/** Concatenates batches in order. */
export function concatBatches(batches: CifarBatch[]): CifarBatch {
  const count = batches.reduce((s, b) => s + b.count, 0);
  const images = new Uint8Array(count * 3072), labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * 3072);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { images, labels, count };
}
