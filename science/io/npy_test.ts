import { assertEquals, assertThrows } from "@std/assert";
import { decodeNpy, encodeNpy } from "./npy.ts";

Deno.test("encodes the exact bytes NumPy writes for a 2×3 float32 array", () => {
  // numpy.save of np.arange(6, dtype='<f4').reshape(2, 3) writes this 118-character header line.
  const bytes = encodeNpy({ data: Float32Array.of(0, 1, 2, 3, 4, 5), shape: [2, 3] });
  assertEquals(Array.from(bytes.subarray(0, 8)), [0x93, 78, 85, 77, 80, 89, 1, 0]);
  assertEquals(bytes[8] + 256 * bytes[9], 118);
  const header = new TextDecoder().decode(bytes.subarray(10, 128));
  assertEquals(
    header,
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117, " ") + "\n",
  );
  assertEquals(bytes.length, 128 + 24);
  assertEquals(new DataView(bytes.buffer).getFloat32(128 + 4 * 5, true), 5);
});

Deno.test("round-trips every supported dtype, including 1-d and 0-length shapes", () => {
  for (
    const a of [
      { data: Float64Array.of(1.5, -2), shape: [2] },
      { data: Int32Array.of(-7, 0, 9, 1), shape: [2, 2] },
      { data: Uint8Array.of(1, 2, 3), shape: [3, 1] },
      { data: new Float32Array(0), shape: [0, 4] },
    ]
  ) {
    const back = decodeNpy(encodeNpy(a));
    assertEquals(back.shape, a.shape);
    assertEquals(Array.from(back.data), Array.from(a.data));
    assertEquals(back.data.constructor, a.data.constructor);
  }
});

Deno.test("rejects a bad magic number, a truncated body and a shape mismatch", () => {
  assertThrows(() => decodeNpy(new Uint8Array(20)), Error, "bad magic");
  const bytes = encodeNpy({ data: Float32Array.of(1, 2, 3), shape: [3] });
  assertThrows(() => decodeNpy(bytes.subarray(0, bytes.length - 2)), Error, "truncated");
  assertThrows(() => encodeNpy({ data: Float32Array.of(1, 2), shape: [3] }), Error, "shape");
});
