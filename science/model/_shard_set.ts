/**
 * What one thread holds of the objective: some shards' examples as tensors on its backend and the
 * points θ evaluated on them, and the requests it answers for each shard it holds, as read-back
 * programs (science/model/readback.ts). The main thread's in-process engine holds every shard;
 * a worker (science/model/_compute_worker.ts) holds its share. Requests are plain data, so that
 * they cross to a worker unchanged.
 *
 * The alignment measurement is here too (science/measure/alignment.ts, per sample, so each shard
 * measures its own rows): it needs the same examples on the same backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type LayerTensors, layerTensors } from "./mlp.ts";
import type { ReadProgram } from "./readback.ts";
import {
  type CurvatureKind,
  directionTensors,
  disposeCache,
  disposeDirections,
  evaluateShard,
  type ShardCache,
  shardLoss,
  type ShardModel,
  shardProducts,
  type ShardTensors,
} from "./_shard_math.ts";
import {
  type AlignmentOptions,
  alignmentProgram,
  type PerSampleAlignment,
} from "../measure/alignment.ts";

/** A request, answered by every shard. θ and vectors travel as float32 arrays. */
export type ShardRequest =
  /** Evaluate θ and keep its passes as point `id`: [Σ l, #correct, ∇ part (P)] per shard. */
  | { op: "point"; id: number; theta: Float32Array }
  /** [Σ l, #correct] at θ, nothing kept. */
  | { op: "loss"; theta: Float32Array }
  /** The shard's part of the curvature products at point `id`, k × P, for k packed vectors. */
  | { op: "products"; id: number; kind: CurvatureKind; vectors: Float32Array; k: number }
  /** The per-sample alignment of the shard's rows at θ. */
  | { op: "alignment"; theta: Float32Array; options: AlignmentOptions }
  /** Forget point `id` (no answer). */
  | { op: "release"; id: number };

/** One shard's answer: float32 sums, or the per-sample alignment of its rows. */
export type ShardOutput = Float32Array | PerSampleAlignment;

/** One shard's examples: inputs (rows × d₀) and targets (rows × C). */
export interface ShardRows {
  x: Float32Array;
  y: Float32Array;
}

/**
 * A request opened on the shards held, in shard order: for a sum (point, loss, products) each
 * shard's term, a tensor computed when called; for per-shard answers (alignment) each shard's
 * program. `close` frees what the request made.
 */
export interface OpenRequest {
  terms: (() => tf.Tensor)[];
  programs: ReadProgram<PerSampleAlignment>[];
  close(): void;
}

/** Every shard's answer as a read-back program: a term read back, or the program itself. */
export function programsOf(open: OpenRequest): ReadProgram<ShardOutput>[] {
  return open.terms.length > 0 ? open.terms.map(readOne) : open.programs;
}

/** Some shards of the objective on this thread's backend, and the points evaluated on them. */
export class ShardSet {
  readonly #tensors: ShardTensors[];
  readonly #inputs: Float32Array[];
  readonly #points = new Map<number, { layers: LayerTensors[]; caches: ShardCache[] }>();

  constructor(readonly model: ShardModel, shards: readonly ShardRows[]) {
    const d0 = model.spec.sizes[0], C = model.spec.sizes.at(-1)!;
    this.#inputs = shards.map((s) => s.x);
    this.#tensors = shards.map((s) => ({
      x: tf.tensor2d(s.x, [s.x.length / d0, d0]),
      y: tf.tensor2d(s.y, [s.y.length / C, C]),
    }));
  }

  /** Opens `request` on every shard held (in order); `release` opens nothing. */
  open(request: ShardRequest): OpenRequest {
    switch (request.op) {
      case "point":
        return this.#point(request.id, request.theta);
      case "loss": {
        const layers = layerTensors(this.model.spec, request.theta);
        return {
          terms: this.#tensors.map((s) => () => shardLoss(this.model, layers, s)),
          programs: [],
          close: () => disposeLayers(layers),
        };
      }
      case "products":
        return this.#products(request);
      case "alignment":
        return {
          terms: [],
          programs: this.#inputs.map((x) =>
            alignmentProgram(this.model.spec, request.theta, x, request.options)
          ),
          close: () => {},
        };
      case "release":
        this.release(request.id);
        return { terms: [], programs: [], close: () => {} };
    }
  }

  /** Forgets point `id` and frees its tensors (unknown ids are ignored). */
  release(id: number): void {
    const p = this.#points.get(id);
    if (!p) return;
    this.#points.delete(id);
    disposeLayers(p.layers);
    p.caches.forEach(disposeCache);
  }

  /** Frees every tensor held. */
  dispose(): void {
    for (const id of [...this.#points.keys()]) this.release(id);
    tf.dispose(this.#tensors.flatMap((s) => [s.x, s.y]));
  }

  #point(id: number, theta: Float32Array): OpenRequest {
    if (this.#points.has(id)) throw new Error(`point ${id} is already evaluated`);
    const point = { layers: layerTensors(this.model.spec, theta), caches: [] as ShardCache[] };
    this.#points.set(id, point);
    return {
      terms: this.#tensors.map((s, i) => () => {
        const { cache, summary } = evaluateShard(this.model, point.layers, s);
        point.caches[i] = cache;
        return summary;
      }),
      programs: [],
      close: () => {},
    };
  }

  #products(r: Extract<ShardRequest, { op: "products" }>): OpenRequest {
    const point = this.#points.get(r.id);
    if (!point) throw new Error(`products: point ${r.id} is not evaluated (or was released)`);
    const dirs = directionTensors(this.model.spec.sizes, r.vectors, r.k);
    return {
      terms: point.caches.map((cache) => () =>
        shardProducts(this.model, point.layers, cache, dirs, r.kind)
      ),
      programs: [],
      close: () => disposeDirections(dirs),
    };
  }
}

/** A program that computes one tensor, reads it back and frees it. */
function* readOne(compute: () => tf.Tensor): ReadProgram<Float32Array> {
  const t = compute();
  try {
    const [data] = yield [t];
    return data as Float32Array;
  } finally {
    t.dispose();
  }
}

function disposeLayers(layers: LayerTensors[]): void {
  for (const l of layers) tf.dispose([l.weight, l.weightT, l.bias]);
}
