/**
 * Helper threads for the basis kernels of science/linalg/basis_algebra.ts. Those kernels stream long
 * vectors through the cache and are bound by memory bandwidth, which one core cannot use up, while
 * TensorFlow.js's wasm backend keeps only one core busy: splitting a kernel's elements between
 * threads makes it faster (on a two-core machine here, with one helper: 1.2–1.7× for the kernels
 * alone, 13% less of the eigen-solver's own work in EE steps on config b). Results do not depend
 * on the number of threads (see SLICE in science/linalg/_basis_kernels.ts).
 *
 * The helpers are Node-style worker threads (they can be unref'd, so they never keep a process
 * alive), started on first use, sharing the vectors' SharedArrayBuffers. The main thread posts
 * each helper its share, does its own, then waits on a shared flag for the helpers: the kernels
 * stay synchronous. Only vectors backed by a SharedArrayBuffer can be shared (science/
 * vector_pool.ts allocates them so); the others stay on the main thread.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { coresOfThisProcess } from "../../util/cores.ts";

/** A vector as a helper receives it: its shared buffer and where it lies in it. */
export interface SharedVector {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

/** The work a helper does on its share: the basis kernels' loops (science/linalg/_basis_kernels.ts). */
export type KernelTask =
  | {
    kind: "dots";
    basis: SharedVector[];
    vectors: SharedVector[];
    partials: SharedVector;
    from: number;
    to: number;
  }
  | {
    kind: "subtract";
    vectors: SharedVector[];
    basis: SharedVector[];
    coefficients: number[][];
    lo: number;
    hi: number;
  }
  | { kind: "combine"; basis: SharedVector[]; negated: number[][]; lo: number; hi: number };

/** A task as posted: where to report that it is done, and any error's message. */
export interface KernelMessage {
  task: KernelTask;
  status: SharedArrayBuffer;
  errors: SharedArrayBuffer;
  index: number;
}

/** Helper status codes in `KernelMessage.status`. */
export const PENDING = 0, DONE = 1, FAILED = 2;
/** Bytes of error message per helper. */
export const ERROR_BYTES = 512;
/** Below this many multiply-adds a kernel stays on the main thread (a round trip is ~0.15 ms). */
const MIN_SHARED_WORK = 1 << 20;
/** A helper that has not answered by then (its start included) is taken as lost. */
const TIMEOUT_MS = 120_000;
/** The most helper threads setKernelThreads accepts. */
export const MAX_HELPERS = 64;

let wanted = defaultHelpers();
const helpers: Worker[] = [];
/** One status flag and error message area per helper, reused by every call. */
const status = new Int32Array(new SharedArrayBuffer(4 * MAX_HELPERS));
const errors = new SharedArrayBuffer(ERROR_BYTES * MAX_HELPERS);
let tasksPosted = 0;

/**
 * Sets how many helper threads the basis kernels may use (0: the main thread only). The default
 * is one less than this process's cores (util/cores.ts), at most 3: more threads than that gain
 * little on memory bandwidth. Results are the same for every count.
 */
export function setKernelThreads(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > MAX_HELPERS) {
    throw new Error(`kernel threads: must be an integer in 0..${MAX_HELPERS}, got ${count}`);
  }
  // Helpers beyond the count stay idle rather than being terminated: terminating worker threads
  // has had races in Deno, and an idle helper costs only its memory.
  wanted = count;
}

/** The number of helper threads the basis kernels may use. */
export function kernelThreads(): number {
  return wanted;
}

/** Starts the helper threads now (each otherwise starts on first use, in about 0.1 s). */
export function startKernelThreads(): void {
  const nothing = { buffer: new SharedArrayBuffer(8), byteOffset: 0, length: 1 };
  const idle: KernelTask = {
    kind: "subtract",
    vectors: [nothing],
    basis: [],
    coefficients: [[]],
    lo: 0,
    hi: 0,
  };
  runWithHelpers(Array.from({ length: wanted }, () => idle), () => {});
}

/** How many tasks have been posted to helper threads so far (for tests and benchmarks). */
export function helperTasksPosted(): number {
  return tasksPosted;
}

/**
 * How many helpers a kernel of `work` multiply-adds over `vectors` should use: none when the work
 * is small or a vector is not shared, and never more than there are `parts` to give out.
 */
export function helpersFor(
  work: number,
  parts: number,
  vectors: readonly Float64Array[],
): number {
  if (wanted === 0 || work < MIN_SHARED_WORK || parts < 2) return 0;
  if (!vectors.every((v) => v.buffer instanceof SharedArrayBuffer)) return 0;
  return Math.min(wanted, parts - 1);
}

/** A shared vector's description for a helper (it must be backed by a SharedArrayBuffer). */
export function shared(v: Float64Array): SharedVector {
  return { buffer: v.buffer as SharedArrayBuffer, byteOffset: v.byteOffset, length: v.length };
}

/** `count` parts of [0, units) as equal as whole units allow, in order: [start, end) each. */
export function splitEvenly(units: number, count: number): [number, number][] {
  return Array.from({ length: count }, (_, p) => [
    Math.floor((p * units) / count),
    Math.floor(((p + 1) * units) / count),
  ]);
}

/**
 * Posts `tasks` to the helpers (one each), runs `own` on this thread, then waits until every
 * helper is done, even when `own` throws, so that no helper still writes to the vectors when this
 * returns. A helper's error is thrown here; one that does not answer is taken as lost, and all
 * helpers are replaced.
 */
export function runWithHelpers(tasks: readonly KernelTask[], own: () => void): void {
  if (tasks.length === 0) return own();
  tasks.forEach((task, index) => {
    Atomics.store(status, index, PENDING);
    helper(index).postMessage({ task, status: status.buffer, errors, index } as KernelMessage);
    tasksPosted++;
  });
  let ownError: { error: unknown } | null = null;
  try {
    own();
  } catch (error) {
    ownError = { error };
  }
  let lost = false;
  const failures = tasks.map((_, index) => {
    if (Atomics.wait(status, index, PENDING, TIMEOUT_MS) === "timed-out") {
      lost = true;
      return `did not answer within ${TIMEOUT_MS / 1000} s`;
    }
    if (Atomics.load(status, index) !== FAILED) return null;
    const bytes = new Uint8Array(errors, index * ERROR_BYTES, ERROR_BYTES).slice();
    return `failed: ${new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0)))}`;
  });
  if (lost) { for (const worker of helpers.splice(0)) worker.terminate(); }
  if (ownError) throw ownError.error;
  const index = failures.findIndex((f) => f !== null);
  if (index >= 0) throw new Error(`kernel helper thread ${index} ${failures[index]}`);
}

function defaultHelpers(): number {
  return Math.min(3, coresOfThisProcess() - 1);
}

function helper(index: number): Worker {
  while (helpers.length <= index) {
    const worker = new Worker(new URL("./_kernel_worker.ts", import.meta.url));
    // The helpers wait for work forever: they must not keep the process alive.
    worker.unref();
    helpers.push(worker);
  }
  return helpers[index];
}
