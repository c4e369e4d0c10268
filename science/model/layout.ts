/**
 * The shape of an MLP and where each layer's parameters sit in the flat parameter vector θ.
 *
 * Layout (SCIENCE.md §1): layer by layer, Aⁿ row-major (dₙ × dₙ₋₁, so x̂ⁿ = Aⁿxⁿ⁻¹ + bⁿ), then bⁿ.
 *
 * @module
 */

/** Activations the MLP supports; ELU (α = 1) is the default because the solvers assume smoothness. */
export const ACTIVATIONS = ["elu", "tanh", "relu"] as const;

/** One of {@linkcode ACTIVATIONS}. */
export type Activation = typeof ACTIVATIONS[number];

/** An MLP: widths d₀ (inputs) … d_L (outputs C), and the hidden activation. */
export interface MlpSpec {
  sizes: number[];
  activation: Activation;
}

/** Where layer n (1-based in the paper, index n − 1 here) keeps its weights and bias in θ. */
export interface LayerSlice {
  /** Output width dₙ (rows of Aⁿ). */
  rows: number;
  /** Input width dₙ₋₁ (columns of Aⁿ). */
  cols: number;
  /** Offset of Aⁿ[0][0] in θ. */
  weightOffset: number;
  /** Offset of bⁿ[0] in θ. */
  biasOffset: number;
  /** One past the layer's last parameter. */
  end: number;
}

/** The slices of every layer, in order, for an MLP of the given widths. */
export function parameterLayout(sizes: readonly number[]): LayerSlice[] {
  if (sizes.length < 2 || sizes.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`mlp: sizes must be ≥ 2 positive integers, got [${sizes}]`);
  }
  const layers: LayerSlice[] = [];
  let offset = 0;
  for (let n = 1; n < sizes.length; n++) {
    const rows = sizes[n], cols = sizes[n - 1];
    const weightOffset = offset, biasOffset = offset + rows * cols;
    offset = biasOffset + rows;
    layers.push({ rows, cols, weightOffset, biasOffset, end: offset });
  }
  return layers;
}

/** The length of θ for an MLP of the given widths. */
export function parameterCount(sizes: readonly number[]): number {
  return parameterLayout(sizes).at(-1)!.end;
}
