/**
 * Curvature products at a point θ of the objective (SCIENCE.md §2), computed analytically with
 * Pearlmutter's R-operator on the MLP (forward pass of the directional derivative, then the
 * backward pass and its directional derivative), in float32 on the tfjs backend:
 *
 * - ℋv (`hessian`), exact to float32 rounding;
 * - Gv = (1/N) Σ Jᵢᵀ Qᵢ Jᵢ v (`gaussNewton`), the R-forward then a plain backward of Q·Jv;
 * - Hv = ℋv − Gv (`residual`): the terms of the R-backward that involve gᵢ = ∂l/∂z;
 * - Gⁿⁿv for one layer's block (`layerGaussNewtonVectorProduct`).
 *
 * Several vectors are applied in one pass (a leading batch axis k), which saves per-op overhead.
 * Vectors go in as any `ArrayLike<number>` of length P (converted to float32) and come out as
 * Float32Array. The forward/backward passes cached by {@linkcode ObjectivePoint} are reused; the
 * tensor work is science/model/_shard_math.ts's, shard by shard, wherever the shards are held.
 *
 * @module
 */
import { parameterLayout } from "./layout.ts";
import type { ObjectivePoint } from "./objective.ts";
import type { SymmetricOperator } from "../linalg/lanczos.ts";
import type { CurvatureKind } from "./_shard_math.ts";

export type { CurvatureKind };

/** Applies the chosen curvature matrix at `point` to each vector of `vectors` in one batch. */
export function curvatureProducts(
  point: ObjectivePoint,
  kind: CurvatureKind,
  vectors: readonly ArrayLike<number>[],
): Float32Array[] {
  const P = point.objective.parameterCount, k = vectors.length;
  if (k === 0) return [];
  const packed = new Float32Array(k * P);
  vectors.forEach((v, j) => {
    if (v.length !== P) throw new Error(`vector ${j}: length ${v.length}, expected P = ${P}`);
    packed.set(v, j * P);
  });
  const flat = point.packedProducts(kind, packed, k);
  return vectors.map((_, j) => flat.subarray(j * P, (j + 1) * P));
}

/** ℋv. */
export function hessianVectorProduct(point: ObjectivePoint, v: ArrayLike<number>): Float32Array {
  return curvatureProducts(point, "hessian", [v])[0];
}

/** Gv, the Gauss–Newton part. */
export function gaussNewtonVectorProduct(
  point: ObjectivePoint,
  v: ArrayLike<number>,
): Float32Array {
  return curvatureProducts(point, "gaussNewton", [v])[0];
}

/** Hv = ℋv − Gv, the residual (non-Gauss–Newton) part. */
export function residualHessianVectorProduct(
  point: ObjectivePoint,
  v: ArrayLike<number>,
): Float32Array {
  return curvatureProducts(point, "residual", [v])[0];
}

/** The length of layer `layer`'s parameter block (layer is 1-based, as Gⁿⁿ in SCIENCE.md §2). */
export function layerBlockSize(point: ObjectivePoint, layer: number): number {
  const l = layerSlice(point, layer);
  return l.end - l.weightOffset;
}

/**
 * Gⁿⁿ·v for layer n's block (n is 1-based): `vectors` and the results have the block's length
 * (Aⁿ row-major, then bⁿ), i.e. G restricted to that layer's parameters.
 */
export function layerGaussNewtonProducts(
  point: ObjectivePoint,
  layer: number,
  vectors: readonly ArrayLike<number>[],
): Float32Array[] {
  const l = layerSlice(point, layer), P = point.objective.parameterCount;
  const full = vectors.map((v) => {
    if (v.length !== l.end - l.weightOffset) {
      throw new Error(
        `layer ${layer} vector: length ${v.length}, expected ${l.end - l.weightOffset}`,
      );
    }
    const out = new Float32Array(P);
    out.set(v, l.weightOffset);
    return out;
  });
  return curvatureProducts(point, "gaussNewton", full).map((r) => r.slice(l.weightOffset, l.end));
}

/** ℋ, G or H at `point` as an operator for science/linalg/lanczos.ts (dimension P). */
export function curvatureOperator(point: ObjectivePoint, kind: CurvatureKind): SymmetricOperator {
  return {
    dim: point.objective.parameterCount,
    apply: (vs) => curvatureProducts(point, kind, vs),
  };
}

/** Gⁿⁿ of layer n (1-based) at `point` as an operator on that layer's block. */
export function layerGaussNewtonOperator(point: ObjectivePoint, layer: number): SymmetricOperator {
  return {
    dim: layerBlockSize(point, layer),
    apply: (vs) => layerGaussNewtonProducts(point, layer, vs),
  };
}

function layerSlice(point: ObjectivePoint, layer: number) {
  const layout = parameterLayout(point.objective.spec.sizes);
  if (!Number.isInteger(layer) || layer < 1 || layer > layout.length) {
    throw new Error(`layer: ${layer} is not one of 1..${layout.length}`);
  }
  return layout[layer - 1];
}
