/**
 * A typed `tf.tidy` for functions that return plain objects or arrays holding tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Runs `fn` in a tidy scope, keeping every tensor reachable from its result. */
export function tidyKeep<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
