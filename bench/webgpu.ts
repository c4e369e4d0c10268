/**
 * The GPU path (`webgpu`): the gradient and an HVP of configs a and b of bench/numerics.ts with
 * the shards on the webgpu backend (in a worker thread, science/model/engine.ts), beside the same
 * on the main thread's wasm backend. A software adapter (Mesa's llvmpipe) is used only with
 * `EOS_WEBGPU_ALLOW_FALLBACK=1`, as everywhere; without an adapter the benchmark prints
 * `webgpu.available 0` and times nothing.
 *
 * @module
 */
import { Objective } from "../science/model/objective.ts";
import { curvatureProducts } from "../science/model/curvature.ts";
import { BackendUnavailableError, WEBGPU_FALLBACK_ENV_VAR } from "../science/model/backend.ts";
import { type Benchmark, type Emit, timeMs } from "./benchmark.ts";
import { configData, CONFIGS } from "./numerics.ts";

const REPS = 5;

async function runWebgpu(emit: Emit): Promise<void> {
  const adapter = await gpuAdapter();
  emit("webgpu.available", Number(adapter !== null), "bool");
  if (adapter === null) return;
  emit("webgpu.software_adapter", Number(adapter.fallback), "bool");
  for (const c of CONFIGS.filter((c) => !c.optional)) {
    const { x, y, theta0, rng } = configData(c);
    const gpu = new Objective({ spec: c.spec, loss: "mse", x, y, backend: "webgpu" });
    const wasm = new Objective({ spec: c.spec, loss: "mse", x, y, backend: "wasm" });
    try {
      const v = Float64Array.from({ length: gpu.parameterCount }, () => rng.normal());
      for (const [name, o] of [["webgpu", gpu], ["wasm", wasm]] as const) {
        const point = o.at(theta0);
        emit(`webgpu.${c.name}.${name}.gradient`, timeMs(() => o.at(theta0).dispose(), REPS), "ms");
        const hvp = timeMs(() => curvatureProducts(point, "hessian", [v]), REPS);
        emit(`webgpu.${c.name}.${name}.hvp`, hvp, "ms");
        point.dispose();
      }
    } finally {
      gpu.dispose();
      wasm.dispose();
    }
  }
}

/** The adapter the webgpu backend would take, or null (and why, on stderr). */
async function gpuAdapter(): Promise<{ fallback: boolean } | null> {
  const gpu = (navigator as {
    gpu?: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean } } | null> };
  }).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) {
    console.error(`bench: webgpu: ${new BackendUnavailableError("webgpu", "no adapter").message}`);
    return null;
  }
  const fallback = adapter.info?.isFallbackAdapter === true;
  if (fallback && Deno.env.get(WEBGPU_FALLBACK_ENV_VAR) !== "1") {
    console.error(`bench: webgpu: only a software adapter; set ${WEBGPU_FALLBACK_ENV_VAR}=1`);
    return null;
  }
  return { fallback };
}

/** The GPU benchmark. */
export const webgpuBenchmarks: Benchmark[] = [{
  name: "webgpu",
  description: "configs a and b: gradient and HVP on the webgpu backend (a worker) and on wasm",
  byDefault: true,
  run: runWebgpu,
}];
