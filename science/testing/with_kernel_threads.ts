/**
 * Runs test code with a given number of kernel helper threads (science/linalg/kernel_threads.ts) and
 * restores the count it found, so that tests do not leak their setting into each other.
 *
 * @module
 */
import { kernelThreads, setKernelThreads } from "../linalg/kernel_threads.ts";

/** Calls `f` with `count` kernel helper threads, then restores the count before. */
export function withKernelThreads<T>(count: number, f: () => T): T {
  const before = kernelThreads();
  setKernelThreads(count);
  try {
    return f();
  } finally {
    setKernelThreads(before);
  }
}
