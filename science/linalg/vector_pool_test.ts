import { assertEquals, assertNotStrictEquals, assertStrictEquals, assertThrows } from "@std/assert";
import { poolOfDim, VectorPool } from "./vector_pool.ts";

Deno.test("VectorPool lends vectors back out and copies into them", () => {
  const pool = new VectorPool(3);
  const a = pool.take(), b = pool.take();
  assertNotStrictEquals(a, b);
  assertEquals(a.length, 3);
  pool.give(a);
  assertEquals(pool.free, 1);
  const c = pool.copyOf(Float32Array.of(1, 2, 3));
  assertStrictEquals(c, a);
  assertEquals(Array.from(c), [1, 2, 3]);
  assertEquals(pool.free, 0);
  pool.give(b, c);
  assertEquals(pool.free, 2);
});

Deno.test("VectorPool refuses wrong lengths and vectors given twice", () => {
  const pool = new VectorPool(2);
  const a = pool.take();
  pool.give(a);
  assertThrows(() => pool.give(a), Error, "given twice");
  assertThrows(() => pool.give(new Float64Array(3)), Error, "length 3");
  assertThrows(() => pool.copyOf([1, 2, 3]), Error, "length 3, not 2");
  assertThrows(() => new VectorPool(-1), Error, "dim");
});

Deno.test("poolOfDim keeps a pool of the right length and replaces another", () => {
  const pool = new VectorPool(4);
  assertStrictEquals(poolOfDim(pool, 4), pool);
  assertEquals(poolOfDim(pool, 5).dim, 5);
  assertEquals(poolOfDim(undefined, 2).dim, 2);
});
