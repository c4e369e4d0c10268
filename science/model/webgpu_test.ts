import { assert, assertEquals, assertLess } from "@std/assert";
import { BackendUnavailableError, selectBackend, WEBGPU_FALLBACK_ENV_VAR } from "./backend.ts";
import { Objective } from "./objective.ts";
import { curvatureProducts } from "./curvature.ts";
import { initTheta } from "./mlp.ts";
import { ExponentialEuler } from "../solvers/exponential_euler.ts";
import { summariseAlignment } from "../measure/alignment.ts";
import { Rng } from "../../util/rng.ts";
import { relativeError } from "../testing/float64_mlp.ts";

/** Loss, gradient, an HVP, an EE step and the alignment of a small net, on `backend`. */
function evaluate(backend: string) {
  const rng = new Rng(17);
  const spec = { sizes: [6, 16, 16, 3], activation: "elu" as const };
  const n = 300;
  const x = Float32Array.from({ length: n * 6 }, () => rng.normal());
  const y = Int32Array.from({ length: n }, () => rng.int(3));
  const objective = new Objective({ spec, loss: "cross_entropy", x, y, backend });
  const theta = initTheta(spec, rng);
  const v = Float64Array.from({ length: theta.length }, () => rng.normal());
  const point = objective.at(theta);
  try {
    // Tight eigen-solves, so that the step's dt and stiff directions agree to float32 rounding.
    const ee = new ExponentialEuler({
      etaMax: 1,
      k: 2,
      warmup: 0,
      eigen: { tolerance: 1e-6, maxIterations: 300, rng: new Rng(3) },
    });
    const step = ee.step(point, 0, 0);
    return {
      workers: objective.workers,
      loss: point.loss,
      gradient: point.gradient,
      hvp: curvatureProducts(point, "hessian", [v])[0],
      move: step.theta.map((t, i) => t - theta[i]),
      eigenvalues: step.report.eigenvalues,
      alignment: summariseAlignment(objective.alignment(theta)),
    };
  } finally {
    point.dispose();
    objective.dispose();
  }
}

Deno.test("webgpu (software adapter) matches wasm: loss, gradient, HVP, EE step, alignment", async () => {
  await selectBackend("wasm");
  Deno.env.set(WEBGPU_FALLBACK_ENV_VAR, "1");
  try {
    const gpu = evaluate("webgpu");
    const cpu = evaluate("wasm");
    assertEquals([gpu.workers, cpu.workers], [1, 0], "webgpu runs in a worker, wasm in process");
    assertLess(Math.abs(gpu.loss - cpu.loss), 1e-6 * cpu.loss);
    assertLess(relativeError(gpu.gradient, cpu.gradient), 1e-5);
    assertLess(relativeError(gpu.hvp, cpu.hvp), 1e-5);
    assertLess(relativeError(gpu.move, cpu.move), 1e-4);
    gpu.eigenvalues.forEach((l, i) => assertLess(Math.abs(l - cpu.eigenvalues[i]), 1e-4 * l));
    for (const [column, value] of Object.entries(cpu.alignment)) {
      assertLess(Math.abs(gpu.alignment[column] - value), 1e-4 * Math.abs(value), column);
    }
  } catch (e) {
    // A machine without even a software adapter must still say so clearly.
    const cause = e instanceof Error ? `${e.message}` : `${e}`;
    assert(
      cause.includes("no WebGPU adapter") || e instanceof BackendUnavailableError,
      `unexpected failure: ${cause}`,
    );
  } finally {
    Deno.env.delete(WEBGPU_FALLBACK_ENV_VAR);
  }
});
