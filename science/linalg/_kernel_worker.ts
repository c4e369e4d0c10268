/**
 * A kernel helper thread (science/linalg/kernel_threads.ts): runs the basis kernels' loops on the share
 * of the elements it is posted, then reports on the shared status flag.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { combineOverRange, dotsOverSlices, subtractOverRange } from "./_basis_kernels.ts";
import {
  DONE,
  ERROR_BYTES,
  FAILED,
  type KernelMessage,
  type KernelTask,
  type SharedVector,
} from "./kernel_threads.ts";

const view = (v: SharedVector) => new Float64Array(v.buffer, v.byteOffset, v.length);

function run(task: KernelTask): void {
  switch (task.kind) {
    case "dots":
      return dotsOverSlices(
        task.basis.map(view),
        task.vectors.map(view),
        view(task.partials),
        task.from,
        task.to,
      );
    case "subtract":
      return subtractOverRange(
        task.vectors.map(view),
        task.basis.map(view),
        task.coefficients,
        task.lo,
        task.hi,
      );
    case "combine":
      return combineOverRange(task.basis.map(view), task.negated, task.lo, task.hi);
    default:
      throw new Error(`unknown kernel task ${(task as { kind: unknown }).kind}`);
  }
}

parentPort!.on("message", ({ task, status, errors, index }: KernelMessage) => {
  const flags = new Int32Array(status);
  try {
    run(task);
    Atomics.store(flags, index, DONE);
  } catch (e) {
    const text = new TextEncoder().encode(e instanceof Error ? e.message : String(e));
    const area = new Uint8Array(errors, index * ERROR_BYTES, ERROR_BYTES);
    area.fill(0).set(text.subarray(0, ERROR_BYTES - 1));
    Atomics.store(flags, index, FAILED);
  }
  Atomics.notify(flags, index);
});
