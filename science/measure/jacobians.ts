/**
 * Per-sample layerwise Jacobians of an MLP (SCIENCE.md §4), batched over samples:
 * J⁰ = A¹ and Jⁿ = ∂x̂ⁿ⁺¹/∂x̂ⁿ = Aⁿ⁺¹ diag(σ′(x̂ⁿ)) for n = 1..L−1, and the first-layer
 * sensitivity S¹ = J^{L−1}⋯J¹ (C × d₁). Parameters come as the flat θ of `model/layout.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Activation, type MlpSpec, parameterLayout } from "../model/layout.ts";
import { activate } from "../model/mlp.ts";

/** What every Jacobian is built from: the weights and σ′ at each hidden preactivation. */
export interface JacobianFactors {
  /** A¹ … Aᴸ as dₙ × dₙ₋₁ tensors (index n − 1). */
  weights: tf.Tensor2D[];
  /** σ′(x̂ⁿ) for n = 1..L−1, each N × dₙ (index n − 1). */
  derivatives: tf.Tensor2D[];
  /** Number of samples N. */
  count: number;
}

/** Checks that θ and the inputs fit the spec; returns N. */
export function validateInputs(spec: MlpSpec, theta: Float32Array, inputs: Float32Array): number {
  const layers = parameterLayout(spec.sizes);
  if (theta.length !== layers.at(-1)!.end) {
    throw new Error(
      `theta: length ${theta.length} does not match sizes [${spec.sizes}] ` +
        `(expected ${layers.at(-1)!.end})`,
    );
  }
  const d0 = spec.sizes[0];
  if (inputs.length === 0 || inputs.length % d0 !== 0) {
    throw new Error(`inputs: length ${inputs.length} is not a positive multiple of d₀ = ${d0}`);
  }
  return inputs.length / d0;
}

/** The weight matrices A¹ … Aᴸ of θ as tensors (the caller disposes them). */
export function weightTensors(spec: MlpSpec, theta: Float32Array): tf.Tensor2D[] {
  return parameterLayout(spec.sizes).map((l) =>
    tf.tensor2d(theta.subarray(l.weightOffset, l.biasOffset), [l.rows, l.cols])
  );
}

/**
 * The hidden preactivations x̂¹ … x̂^{L−1} (each N × dₙ) of a plain forward pass. Kept in one
 * place so that it can be swapped for the model module's forward pass.
 */
export function hiddenPreactivations(
  spec: MlpSpec,
  theta: Float32Array,
  inputs: Float32Array,
): tf.Tensor2D[] {
  const count = validateInputs(spec, theta, inputs);
  const layers = parameterLayout(spec.sizes);
  return tf.tidy(() => {
    let x: tf.Tensor2D = tf.tensor2d(inputs, [count, spec.sizes[0]]);
    const out: tf.Tensor2D[] = [];
    for (const l of layers.slice(0, -1)) {
      // An explicit transpose: wasm's matMul with a transpose flag is many times slower.
      const weightT = tf.tensor2d(theta.subarray(l.weightOffset, l.biasOffset), [l.rows, l.cols])
        .transpose();
      const bias = tf.tensor1d(theta.subarray(l.biasOffset, l.end));
      const pre = tf.add(tf.matMul(x, weightT), bias) as tf.Tensor2D;
      out.push(pre);
      x = activate(spec.activation, pre) as tf.Tensor2D;
    }
    return out;
  });
}

/** σ′(x) elementwise; ReLU′(0) is taken as 0. */
export function activationDerivative(activation: Activation, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    switch (activation) {
      case "elu":
        return tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(tf.minimum(x, 0)));
      case "tanh":
        return tf.sub(1, tf.square(activate("tanh", x)));
      case "relu":
        return tf.cast(tf.greater(x, 0), "float32");
    }
  }) as tf.Tensor2D;
}

/** The weights and σ′(x̂ⁿ) of every hidden layer (the caller disposes them). */
export function jacobianFactors(
  spec: MlpSpec,
  theta: Float32Array,
  inputs: Float32Array,
): JacobianFactors {
  if (spec.sizes.length < 3) {
    throw new Error(`sizes: layerwise Jacobians need ≥ 1 hidden layer, got [${spec.sizes}]`);
  }
  const pre = hiddenPreactivations(spec, theta, inputs);
  const derivatives = pre.map((p) => activationDerivative(spec.activation, p));
  tf.dispose(pre);
  return { weights: weightTensors(spec, theta), derivatives, count: inputs.length / spec.sizes[0] };
}

/** Disposes the tensors of a {@linkcode JacobianFactors}. */
export function disposeFactors(f: JacobianFactors): void {
  tf.dispose([...f.weights, ...f.derivatives]);
}

/** Jⁿ = Aⁿ⁺¹ diag(σ′(x̂ⁿ)) for one n ∈ 1..L−1, dense, N × dₙ₊₁ × dₙ (for small layers). */
export function layerJacobian(f: JacobianFactors, n: number): tf.Tensor3D {
  if (!Number.isInteger(n) || n < 1 || n > f.derivatives.length) {
    throw new Error(`layer: n must be an integer in 1..${f.derivatives.length}, got ${n}`);
  }
  return tf.tidy(() => {
    const a = f.weights[n].expandDims(0); // Aⁿ⁺¹
    return tf.mul(a, f.derivatives[n - 1].expandDims(1)) as tf.Tensor3D;
  });
}

/** S¹ = J^{L−1}⋯J¹ per sample, N × C × d₁, accumulated from the output side. */
export function firstLayerSensitivity(f: JacobianFactors): tf.Tensor3D {
  return tf.tidy(() => {
    const last = f.derivatives.length;
    let s = layerJacobian(f, last);
    const rows = s.shape[1];
    for (let n = last - 1; n >= 1; n--) {
      const [count, , inner] = s.shape;
      const weight = f.weights[n]; // Aⁿ⁺¹: dₙ₊₁ × dₙ
      const product = tf.matMul(s.reshape([count * rows, inner]), weight);
      s = tf.mul(
        product.reshape([count, rows, weight.shape[1]]),
        f.derivatives[n - 1].expandDims(1),
      );
    }
    return s;
  });
}

/** Per-sample Gram matrices M Mᵀ of a batch N × r × c, as N × r × r. */
export function batchedGram(m: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.matMul(m, tf.transpose(m, [0, 2, 1])));
}
