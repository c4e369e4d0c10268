/**
 * Read-back programs: tfjs work written once and run either synchronously or asynchronously.
 *
 * A computation that needs numbers back from the device mid-way (a loss, a convergence check) is
 * written as a generator that yields the tensors it wants read and receives their values. The
 * synchronous driver reads them with `dataSync()` (the wasm and cpu backends, on the main thread);
 * the asynchronous one with `await data()`, which the webgpu backend needs (its synchronous
 * read-back draws through a canvas that Deno lacks) and which the worker threads use on every
 * backend. A program yields everything it needs at a point in one array, so that a device is
 * waited on once per yield, not once per number. The program disposes of the tensors it yields.
 *
 * @example A sum read back both ways
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { type ReadProgram, runAsync, runSync } from "./readback.ts";
 *
 * await tf.setBackend("cpu");
 * function* total(values: number[]): ReadProgram<number> {
 *   const t = tf.sum(tf.tensor1d(values));
 *   const [data] = yield [t];
 *   t.dispose();
 *   return data[0];
 * }
 * assertEquals(runSync(total([1, 2, 3])), 6);
 * assertEquals(await runAsync(total([1, 2, 3])), 6);
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** What a read-back gives: one typed array per tensor yielded. */
export type ReadValues = (Float32Array | Int32Array | Uint8Array)[];

/** A computation that yields tensors to read and receives their values; returns a T. */
export type ReadProgram<T> = Generator<tf.Tensor[], T, ReadValues>;

/** Runs `program`, reading each yield's tensors with `dataSync()`. */
export function runSync<T>(program: ReadProgram<T>): T {
  let step = program.next();
  while (!step.done) {
    let values: ReadValues;
    try {
      values = step.value.map((t) => t.dataSync() as Float32Array);
    } catch (e) {
      program.return(undefined as T); // runs the program's finally blocks: its tensors are freed
      throw e;
    }
    step = program.next(values);
  }
  return step.value;
}

/** Runs `program`, awaiting each yield's tensors together (one wait on the device per yield). */
export async function runAsync<T>(program: ReadProgram<T>): Promise<T> {
  let step = program.next();
  while (!step.done) {
    let values: ReadValues;
    try {
      values = await Promise.all(step.value.map((t) => t.data() as Promise<Float32Array>));
    } catch (e) {
      program.return(undefined as T);
      throw e;
    }
    step = program.next(values);
  }
  return step.value;
}

/**
 * Runs `programs` side by side: each round advances every unfinished program to its next yield,
 * then awaits all their reads at once, so that a device computes every program's work before it
 * is waited on once. Returns the results in order.
 */
export async function runTogether<T>(programs: ReadProgram<T>[]): Promise<T[]> {
  const steps: IteratorResult<tf.Tensor[], T>[] = [];
  try {
    for (const p of programs) steps.push(p.next());
    while (steps.some((s) => !s.done)) {
      const reads = await Promise.all(
        steps.map((s) =>
          s.done ? [] : Promise.all(s.value.map((t) => t.data() as Promise<Float32Array>))
        ),
      );
      steps.forEach((s, i) => {
        if (!s.done) steps[i] = programs[i].next(reads[i]);
      });
    }
  } catch (e) {
    for (const p of programs) p.return(undefined as T);
    throw e;
  }
  return steps.map((s) => s.value as T);
}
