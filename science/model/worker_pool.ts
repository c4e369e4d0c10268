/**
 * The objective's shards on worker threads (science/model/engine.ts says why and when), driven
 * synchronously from the main thread, which runs the eigen-solvers.
 *
 * Worker w holds shards w, w + W, w + 2W, … (round-robin, so that the shards come back in about
 * the order the main thread adds them) on its own backend instance (_compute_worker.ts). A request
 * goes to every worker; each answers its shards in order on its own message port, reading back
 * asynchronously (`await data()`, as webgpu requires), and bumps a shared counter. The main thread
 * blocks in `Atomics.wait` on that counter and takes each answer with `receiveMessageOnPort`, shard
 * by shard in shard order, adding shard s (in float32, as the device adds in process) while the
 * workers compute the later ones.
 *
 * Every array crosses as a SharedArrayBuffer (θ and the vectors once for all workers, each answer
 * in its own): Deno's structured clone copies a typed array's bytes, or an ArrayBuffer's even when
 * transferred, at about 40 MB/s (measured: 25–35 ms for an 800 kB answer, which made one worker
 * 5× slower than the main thread on config b), while a SharedArrayBuffer crosses in microseconds.
 *
 * A worker that fails answers its error instead of its remaining shards; the pool then stops and
 * every later call throws that error. Workers are Node-style worker threads, unref'd, so that they
 * never keep a process alive.
 *
 * @module
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { ShardEngine } from "./engine.ts";
import type { ShardOutput, ShardRequest, ShardRows } from "./_shard_set.ts";
import type { ShardModel } from "./_shard_math.ts";

/** What a worker is sent first. */
export interface WorkerInit {
  backend: string;
  model: ShardModel;
  /** Its shards' rows (as {@linkcode toWire} sends them), and their indices among all shards. */
  shards: ShardRows[];
  indices: number[];
  port: MessagePort;
  /** Int32 counters, one per worker, bumped after each reply. */
  flags: SharedArrayBuffer;
  index: number;
}

/** A worker's reply: ready after start-up, one answer per shard, or its error. */
export type WorkerReply =
  | { kind: "ready" }
  | { kind: "answer"; shard: number; output: ShardOutput }
  | { kind: "error"; message: string };

/** How long start-up (loading TensorFlow.js, choosing the backend) may take. */
const START_TIMEOUT_MS = 120_000;
/** How long one shard's answer may take: generous, since a paper-scale measurement takes minutes. */
const ANSWER_TIMEOUT_MS = 1_800_000;

/** Shards on `count` worker threads; see the module doc. */
export class WorkerPool implements ShardEngine {
  readonly workers: number;
  readonly #threads: Worker[] = [];
  readonly #ports: MessagePort[] = [];
  readonly #flags: Int32Array;
  readonly #shards: number;
  #failure: string | null = null;

  constructor(model: ShardModel, rows: ShardRows[], count: number, backend: string) {
    this.workers = count;
    this.#shards = rows.length;
    this.#flags = new Int32Array(new SharedArrayBuffer(4 * count));
    for (let w = 0; w < count; w++) {
      const { port1, port2 } = new MessageChannel();
      const thread = new Worker(new URL("./_compute_worker.ts", import.meta.url));
      thread.unref();
      const indices = rows.map((_, s) => s).filter((s) => s % count === w);
      const init: WorkerInit = {
        backend,
        model,
        shards: toWire(indices.map((s) => rows[s])) as ShardRows[],
        indices,
        port: port2,
        flags: this.#flags.buffer as SharedArrayBuffer,
        index: w,
      };
      thread.postMessage(init, [port2]);
      this.#threads.push(thread);
      this.#ports.push(port1);
    }
    for (let w = 0; w < count; w++) {
      const reply = this.#receive(w, START_TIMEOUT_MS);
      if (reply.kind !== "ready") {
        this.dispose();
        throw new Error(`worker ${w} could not start: ${describe(reply)}`);
      }
    }
  }

  sum(request: ShardRequest, length: number): Float32Array {
    const total = new Float32Array(length);
    this.each(request, (output, s) => {
      const part = output as Float32Array;
      if (part.length !== length) {
        throw new Error(`shard ${s} answered ${part.length} values, expected ${length}`);
      }
      // Float32Array stores round each double sum to float32: IEEE float32 addition, as on the
      // device (science/model/engine.ts). Shard 0 is added to zeros, which leaves it unchanged.
      if (s === 0) total.set(part);
      else for (let i = 0; i < length; i++) total[i] += part[i];
    });
    return total;
  }

  each(request: ShardRequest, onShard: (output: ShardOutput, shard: number) => void): void {
    if (this.#failure) throw new Error(`the worker pool stopped earlier: ${this.#failure}`);
    const wired = toWire(request);
    for (const port of this.#ports) port.postMessage(wired);
    const failed: boolean[] = new Array(this.workers).fill(false);
    let callbackError: { error: unknown } | null = null;
    for (let s = 0; s < this.#shards; s++) {
      const w = s % this.workers;
      if (failed[w]) continue;
      const reply = this.#receive(w, ANSWER_TIMEOUT_MS);
      if (reply.kind !== "answer" || reply.shard !== s) {
        failed[w] = true;
        this.#failure ??= `worker ${w}, shard ${s}: ${describe(reply)}`;
        continue;
      }
      if (this.#failure || callbackError) continue; // drain the others' answers
      try {
        onShard(reply.output, s);
      } catch (error) {
        callbackError = { error };
      }
    }
    if (this.#failure) {
      this.dispose();
      throw new Error(`a worker failed: ${this.#failure}`);
    }
    if (callbackError) throw callbackError.error;
  }

  release(id: number): void {
    if (this.#failure) return;
    for (const port of this.#ports) port.postMessage({ op: "release", id });
  }

  dispose(): void {
    for (const t of this.#threads.splice(0)) t.terminate();
    for (const p of this.#ports.splice(0)) p.close();
    this.#failure ??= "the pool was disposed";
  }

  /** Worker w's next reply, waiting for it on the shared counter. */
  #receive(w: number, timeoutMs: number): WorkerReply {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const seen = Atomics.load(this.#flags, w);
      const got = receiveMessageOnPort(this.#ports[w]);
      if (got) return fromWire(got.message) as WorkerReply;
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.#flags, w, seen, left) === "timed-out") {
        this.#failure = `worker ${w} did not answer within ${Math.round(timeoutMs / 1000)} s`;
        this.dispose();
        throw new Error(this.#failure);
      }
    }
  }
}

function describe(reply: WorkerReply): string {
  return reply.kind === "error" ? reply.message : `unexpected reply ${reply.kind}`;
}

/**
 * `value` with every Float32Array and Float64Array (in arrays and plain objects, at any depth)
 * replaced by a copy in a SharedArrayBuffer, for postMessage; {@linkcode fromWire} undoes it.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const buffer = new SharedArrayBuffer(value.byteLength);
    if (value instanceof Float32Array) {
      new Float32Array(buffer).set(value);
      return { f32: buffer };
    }
    new Float64Array(buffer).set(value);
    return { f64: buffer };
  }
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

/** Undoes {@linkcode toWire}: the typed arrays are views of the shared buffers. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value === null || typeof value !== "object") return value;
  const wired = value as Partial<{ f32: SharedArrayBuffer; f64: SharedArrayBuffer }>;
  if (wired.f32 instanceof SharedArrayBuffer) return new Float32Array(wired.f32);
  if (wired.f64 instanceof SharedArrayBuffer) return new Float64Array(wired.f64);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
}
