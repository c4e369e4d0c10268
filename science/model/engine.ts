/**
 * Where the objective's tensor work runs: on the main thread (`workers` = 0) or data-parallel in
 * worker threads, each with its own TensorFlow.js backend instance holding a share of the shards
 * (science/model/worker_pool.ts). Either way a request is answered shard by shard and the caller
 * sees the shards' answers in shard order, so sums taken in that order are the same, bit for bit,
 * for every number of workers (science/model/shards.ts).
 *
 * Why workers and not the wasm backend's threaded build: forcing tfjs-wasm's threads in Deno
 * fails (its Emscripten pthreads start from blob URLs as CommonJS scripts, which Deno's
 * node:worker_threads refuses); patched to start, its pool still reported one thread and a
 * 1000×784×200 matMul took 8.9 ms against 8.3 ms single-threaded. Its threads would only split
 * XNNPACK's matMuls anyway, while data-parallel workers split every op.
 *
 * How workers share a stage's cores (util/cores.ts, `PIPELINE_CORES`): the main thread waits while
 * the workers compute, and the eigen-solver's kernel helpers (science/linalg/kernel_threads.ts)
 * run while the workers wait for the next product, so the two never compete and each may use all
 * of the process's cores: the default worker count is the cores (none on a single core, where a
 * worker would only add its round trips).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { coresOfThisProcess } from "../../util/cores.ts";
import { runSync } from "./readback.ts";
import { asyncReadBack } from "./backend.ts";
import { type ShardOutput, type ShardRequest, type ShardRows, ShardSet } from "./_shard_set.ts";
import type { ShardModel } from "./_shard_math.ts";
import { WorkerPool } from "./worker_pool.ts";

/** The environment variable with the number of workers (an execution setting, not a parameter). */
export const WORKERS_ENV = "EOS_WORKERS";

/** The most workers accepted. */
export const MAX_WORKERS = 64;

/**
 * Answers shard requests, synchronously. A sum's terms are added in float32 in shard order,
 * ((t₀ + t₁) + t₂) + …: on the device where they are computed in process, in JavaScript on the main
 * thread where workers computed them; float32 addition is IEEE-rounded on both, so the bits agree.
 */
export interface ShardEngine {
  /** Worker threads computing (0: the main thread). */
  readonly workers: number;
  /** The sum over shards of a point, loss or products request's terms (`length` floats each). */
  sum(request: ShardRequest, length: number): Float32Array;
  /** Runs a per-shard request (alignment); `onShard` sees shard s's answer before shard s + 1's. */
  each(request: ShardRequest, onShard: (output: ShardOutput, shard: number) => void): void;
  /** Forgets point `id` everywhere (nothing to wait for). */
  release(id: number): void;
  dispose(): void;
}

/**
 * The number of workers to use: `requested` (else `EOS_WORKERS`, else this process's cores, none
 * on one core), at most the cores (util/cores.ts), so that stages × workers never exceed the
 * machine's. Throws a clear error for a malformed value.
 */
export function resolveWorkers(requested?: number): number {
  const cores = coresOfThisProcess();
  let wanted = requested;
  if (wanted === undefined) {
    const text = envValue(WORKERS_ENV);
    if (text !== undefined && !/^\d+$/.test(text)) {
      throw new Error(`${WORKERS_ENV}: must be an integer in 0..${MAX_WORKERS}, got "${text}"`);
    }
    wanted = text === undefined ? (cores > 1 ? cores : 0) : Number(text);
  }
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > MAX_WORKERS) {
    throw new Error(`workers: must be an integer in 0..${MAX_WORKERS}, got ${wanted}`);
  }
  return Math.min(wanted, cores);
}

/**
 * An engine for the shards `rows` of `model` on `backend` (default: the main thread's active
 * one), with {@linkcode workerCount} threads: 0 means in process.
 */
export function createEngine(
  model: ShardModel,
  rows: ShardRows[],
  workers: number,
  backend: string = tf.getBackend(),
): ShardEngine {
  const count = workerCount(workers, rows.length, backend);
  return count === 0
    ? new InProcessEngine(model, rows)
    : new WorkerPool(model, rows, count, backend);
}

/**
 * The worker threads an objective of `shards` shards on `backend` runs with, asked for `workers`:
 * never more than its shards. A GPU backend (webgpu) gets exactly one: its read-back is
 * asynchronous, which the main thread cannot wait for (it must stay synchronous for the
 * eigen-solvers), and one device runs every shard side by side, where more workers would only
 * open more devices on the same GPU. Another backend than the main thread's cannot run there
 * either: it gets at least one.
 */
export function workerCount(workers: number, shards: number, backend: string): number {
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new Error(`workers: must be an integer in 0..${MAX_WORKERS}, got ${workers}`);
  }
  if (asyncReadBack(backend)) return 1;
  return Math.min(shards, backend === tf.getBackend() ? workers : Math.max(workers, 1));
}

/** Every shard on the main thread, read back with dataSync. */
export class InProcessEngine implements ShardEngine {
  readonly workers = 0;
  readonly #set: ShardSet;

  constructor(model: ShardModel, rows: ShardRows[]) {
    this.#set = new ShardSet(model, rows);
  }

  sum(request: ShardRequest, length: number): Float32Array {
    const { terms, close } = this.#set.open(request);
    try {
      let total: tf.Tensor | null = null;
      for (const [s, term] of terms.entries()) {
        const part = term();
        if (part.size !== length) {
          tf.dispose([part, ...(total ? [total] : [])]);
          throw new Error(`shard ${s} answered ${part.size} values, expected ${length}`);
        }
        if (total === null) total = part;
        else {
          const next: tf.Tensor = tf.add(total, part);
          tf.dispose([total, part]);
          total = next;
        }
      }
      try {
        return total!.dataSync() as Float32Array; // a copy of the backend's memory
      } finally {
        total!.dispose();
      }
    } finally {
      close();
    }
  }

  each(request: ShardRequest, onShard: (output: ShardOutput, shard: number) => void): void {
    const { programs, close } = this.#set.open(request);
    try {
      programs.forEach((p, s) => onShard(runSync(p), s));
    } finally {
      close();
    }
  }

  release(id: number): void {
    this.#set.release(id);
  }

  dispose(): void {
    this.#set.dispose();
  }
}

function envValue(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no permission to read the environment: the default
  }
}
