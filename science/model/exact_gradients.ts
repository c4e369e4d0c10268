/**
 * Gradients for tfjs kernels that make second derivatives (tf.grad of tf.grad) exact.
 *
 * As shipped, tfjs computes the gradients of Tanh, Sigmoid, Exp and Softmax from the op's saved
 * *output*; differentiating such a gradient again misses the dependence of that output on the
 * input, so Hessians come out 11–57% wrong (measured against closed forms). ELU has no
 * second derivative at all.
 * The gradients below recompute everything from the saved *input* with differentiable ops.
 * `Equal`/`Greater`/`GreaterEqual`/`Less` get zero gradients (they are piecewise constant), which
 * `where`-based gradients and logsumexp need. MatMul's gradient transposes explicitly, because
 * the wasm backend's matMul with transpose flags is 15–30× slower than transpose + matMul.
 *
 * The project's own curvature products (science/model/curvature.ts) are written analytically and do not
 * depend on this module; it is for code that differentiates tfjs graphs twice.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

let installed = false;

/** Registers the exact gradients once; later calls do nothing. Call after choosing a backend. */
export function installExactGradients(): void {
  if (installed) return;
  installed = true;
  registerComparisonGradients();
  registerActivationGradients();
  registerMatMulGradient();
}

/** Comparisons are piecewise constant: zero gradients, which `where` and logsumexp need. */
function registerComparisonGradients(): void {
  for (const kernelName of ["Equal", "Greater", "GreaterEqual", "Less", "LessEqual"]) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({
        a: () => tf.zerosLike(saved[0]),
        b: () => tf.zerosLike(saved[1]),
      }),
    });
  }
}

/** Activations differentiated from their saved input, so that a second derivative is exact. */
function registerActivationGradients(): void {
  tf.registerGradient({
    kernelName: "Tanh",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]) => ({
      x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x)))),
    }),
  });
  tf.registerGradient({
    kernelName: "Sigmoid",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]) => ({
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s)));
      },
    }),
  });
  tf.registerGradient({
    kernelName: "Exp",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]) => ({
      x: () => tf.mul(dy as tf.Tensor, tf.exp(x)),
    }),
  });
  tf.registerGradient({
    kernelName: "Elu",
    inputsToSave: ["x"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[]) => ({
      // ELU with α = 1: σ′(x) = 1 for x > 0, eˣ otherwise. exp(min(x, 0)) keeps the unused
      // branch finite so that its (zero-weighted) gradient is not NaN.
      x: () =>
        tf.mul(
          dy as tf.Tensor,
          tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(tf.minimum(x, 0))),
        ),
    }),
  });
  tf.registerGradient({
    kernelName: "Softmax",
    inputsToSave: ["logits"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [logits]: tf.Tensor[], attrs) => ({
      logits: () => {
        const dim = (attrs as unknown as { dim: number }).dim;
        const y = tf.softmax(logits, dim);
        return tf.mul(y, tf.sub(dy as tf.Tensor, tf.sum(tf.mul(dy as tf.Tensor, y), dim, true)));
      },
    }),
  });
}

/** MatMul's gradient with explicit transposes (the wasm backend's transpose flags are slow). */
function registerMatMulGradient(): void {
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dyIn: tf.Tensor | tf.Tensor[], [a, b]: tf.Tensor[], attrs) => {
      const dy = dyIn as tf.Tensor;
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      // The op is C = op(a)·op(b); each case of the stock table, with explicit transposes.
      if (!transposeA && !transposeB) {
        return { a: () => tf.matMul(dy, swap(b)), b: () => tf.matMul(swap(a), dy) };
      }
      if (!transposeA && transposeB) {
        return { a: () => tf.matMul(dy, b), b: () => tf.matMul(swap(dy), a) };
      }
      if (transposeA && !transposeB) {
        return { a: () => tf.matMul(b, swap(dy)), b: () => tf.matMul(a, dy) };
      }
      return { a: () => swap(tf.matMul(dy, b)), b: () => swap(tf.matMul(a, dy)) };
    },
  });
}

/** Transposes the last two axes. */
function swap(x: tf.Tensor): tf.Tensor {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return tf.transpose(x, perm);
}
