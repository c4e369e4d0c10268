/**
 * Reusable float64 vectors of one length. A fresh typed array of 2·10⁵ elements costs about
 * 1.5 ms in V8 (zeroing, page faults, garbage collection) against 0.1 ms to overwrite one, and an
 * eigen-solve needs tens of them, so a solver keeps one pool and lends it to every solve. The
 * vectors live in SharedArrayBuffers, so that the kernel helper threads can share the work on them
 * (science/linalg/kernel_threads.ts).
 *
 * @module
 */

/** A free list of Float64Arrays of length `dim`. */
export class VectorPool {
  #free: Float64Array[] = [];

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 0) throw new Error(`VectorPool.dim: ${dim}`);
  }

  /** A vector of length `dim`, backed by a SharedArrayBuffer; its contents are unspecified. */
  take(): Float64Array {
    return this.#free.pop() ?? new Float64Array(new SharedArrayBuffer(8 * this.dim));
  }

  /** A pooled copy of `source`, which must have length `dim`. */
  copyOf(source: ArrayLike<number>): Float64Array {
    if (source.length !== this.dim) {
      throw new Error(`VectorPool.copyOf: length ${source.length}, not ${this.dim}`);
    }
    const v = this.take();
    v.set(source);
    return v;
  }

  /** Returns vectors to the pool: their owner must not use them afterwards. */
  give(...vectors: Float64Array[]): void {
    for (const v of vectors) {
      if (v.length !== this.dim) throw new Error(`VectorPool.give: length ${v.length}`);
      // Giving a vector twice would lend it to two owners at once.
      if (this.#free.includes(v)) throw new Error("VectorPool.give: vector given twice");
      this.#free.push(v);
    }
  }

  /** Vectors waiting to be taken. */
  get free(): number {
    return this.#free.length;
  }
}

/** `pool` if it holds vectors of length `dim`, else a new pool for them. */
export function poolOfDim(pool: VectorPool | undefined, dim: number): VectorPool {
  return pool?.dim === dim ? pool : new VectorPool(dim);
}
