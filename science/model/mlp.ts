/**
 * The MLP of SCIENCE.md §1 on a flat parameter vector θ (layout in science/model/layout.ts): validation,
 * seeded Xavier-normal initialisation, the forward pass in tfjs, and θ as a numpy-readable `.npy`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { ACTIVATIONS, type MlpSpec, parameterCount, parameterLayout } from "./layout.ts";
import { decodeNpy, encodeNpy } from "../io/npy.ts";
import type { Rng } from "../../util/rng.ts";

/** Throws a clear error naming the field when `spec` is not a valid MLP. */
export function validateMlpSpec(spec: MlpSpec): void {
  if (!(ACTIVATIONS as readonly string[]).includes(spec.activation)) {
    throw new Error(
      `mlp.activation: "${spec.activation}" is not one of ${ACTIVATIONS.join(", ")}`,
    );
  }
  parameterLayout(spec.sizes); // throws on bad sizes
}

/**
 * Xavier-normal weights with gain √2 (std = 2/√(fan_in + fan_out)) and zero biases, drawn layer
 * by layer in θ order from `rng`.
 */
export function initTheta(spec: MlpSpec, rng: Rng): Float32Array {
  validateMlpSpec(spec);
  const theta = new Float32Array(parameterCount(spec.sizes));
  for (const layer of parameterLayout(spec.sizes)) {
    const std = 2 / Math.sqrt(layer.rows + layer.cols);
    for (let i = layer.weightOffset; i < layer.biasOffset; i++) theta[i] = std * rng.normal();
  }
  return theta;
}

/** The weights Aⁿ (dₙ × dₙ₋₁), their transposes and biases bⁿ of θ, as tensors. */
export interface LayerTensors {
  weight: tf.Tensor2D;
  weightT: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/** Uploads θ and splits it into per-layer tensors (the caller disposes them). */
export function layerTensors(spec: MlpSpec, theta: Float32Array): LayerTensors[] {
  checkThetaLength(spec, theta);
  return parameterLayout(spec.sizes).map((l) => {
    const weight = tf.tensor2d(theta.subarray(l.weightOffset, l.biasOffset), [l.rows, l.cols]);
    return {
      weight,
      weightT: tf.transpose(weight),
      bias: tf.tensor1d(theta.subarray(l.biasOffset, l.end)),
    };
  });
}

/**
 * σ(x̂) for the spec's activation (ELU with α = 1). tanh is computed as 2·sigmoid(2x) − 1: the wasm
 * backend's Tanh kernel is scalar, 7.5 ms for 2·10⁵ elements against 1.5 ms this way (a tenth of
 * a gradient of config b), and the error stays at float32 rounding of values near 1 (≤ 2·10⁻⁷
 * absolute, measured, against 8·10⁻⁸ for tf.tanh).
 */
export function activate(activation: MlpSpec["activation"], x: tf.Tensor): tf.Tensor {
  if (activation === "tanh") return tf.tidy(() => tf.sub(tf.mul(2, tf.sigmoid(tf.mul(2, x))), 1));
  if (activation === "relu") return tf.relu(x);
  return tf.elu(x);
}

/** The network output f(x, θ) = x̂ᴸ for inputs x (B × d₀); returns B × C logits. */
export function mlpOutput(spec: MlpSpec, layers: LayerTensors[], x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let h: tf.Tensor2D = x;
    layers.forEach((layer, n) => {
      const pre = tf.add(tf.matMul(h, layer.weightT), layer.bias) as tf.Tensor2D;
      h = n < layers.length - 1 ? activate(spec.activation, pre) as tf.Tensor2D : pre;
    });
    return h;
  });
}

/** Throws unless θ has exactly the length the spec's layout needs. */
export function checkThetaLength(spec: MlpSpec, theta: ArrayLike<number>): void {
  const want = parameterCount(spec.sizes);
  if (theta.length !== want) {
    throw new Error(
      `theta: length ${theta.length} does not match MLP [${spec.sizes}] (${want} parameters)`,
    );
  }
}

/** Writes θ as a 1-D float32 `.npy` file, atomically (temp file in the same folder + rename). */
export async function saveThetaNpy(path: string, theta: Float32Array): Promise<void> {
  await writeFileAtomic(path, encodeNpy({ data: theta, shape: [theta.length] }));
}

/** Reads θ from a `.npy` file written by {@linkcode saveThetaNpy} (or numpy), checking it. */
export async function loadThetaNpy(path: string, spec?: MlpSpec): Promise<Float32Array> {
  const { data, shape } = decodeNpy(await Deno.readFile(path));
  if (!(data instanceof Float32Array) || shape.length !== 1) {
    throw new Error(`theta file ${path}: expected a 1-D float32 array, got shape [${shape}]`);
  }
  if (spec) checkThetaLength(spec, data);
  return data;
}
