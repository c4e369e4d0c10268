/**
 * `deno bench -A science/measure/alignment_bench.ts`: the alignment measurement at the size the training
 * loop calls it every few steps (784-200-200-10 MLP, N = 1000, Xavier-normal init, wasm).
 *
 * @module
 */
import { selectBackend } from "../model/backend.ts";
import { parameterLayout } from "../model/layout.ts";
import { Rng } from "../../util/rng.ts";
import { alignmentPerSample, alignmentSummary } from "./alignment.ts";

await selectBackend((Deno.env.get("EOS_BACKEND") ?? "wasm") as "wasm");
const sizes = [784, 200, 200, 10];
const rng = new Rng(1);
const theta = new Float32Array(parameterLayout(sizes).at(-1)!.end);
for (const l of parameterLayout(sizes)) {
  const std = 2 / Math.sqrt(l.rows + l.cols); // Xavier-normal with gain √2
  for (let i = l.weightOffset; i < l.biasOffset; i++) theta[i] = std * rng.normal();
}
const inputs = Float32Array.from({ length: 1000 * 784 }, () => rng.uniform());
for (const activation of ["elu", "tanh"] as const) {
  const spec = { sizes, activation };
  const probe = alignmentPerSample(spec, theta, inputs);
  console.error(
    `${activation}: Lanczos steps ${probe.lanczosSteps}`,
    alignmentSummary(spec, theta, inputs),
  );
  Deno.bench(`alignmentSummary 784-200-200-10 ${activation}, N=1000`, { n: 5, warmup: 1 }, () => {
    alignmentSummary(spec, theta, inputs);
  });
}
