/**
 * The optional PyTorch-CPU reference of bench/workers.ts: finds a python3 that imports torch,
 * hands bench/pytorch_ee.py the benchmark's data and initial θ as .npy files, and reads back its
 * lines. Without torch it returns null and the benchmark says so; nothing else depends on it.
 *
 * @module
 */
import { encodeNpy } from "../science/io/npy.ts";
import { targetMatrix } from "../science/model/loss.ts";
import type { MlpSpec } from "../science/model/layout.ts";

/** One thread count's figures. */
export interface PytorchFigures {
  threads: number;
  gradientMs: number;
  hvpMs: number;
  eeStepMs: number;
  applicationsPerStep: number;
}

/** Interpreters tried in turn: the first with torch wins (Debian's python3-torch is in /usr/bin). */
const PYTHONS = ["python3", "/usr/bin/python3"];
const SCRIPT = new URL("./pytorch_ee.py", import.meta.url).pathname;

/**
 * Runs the PyTorch reference on the data at each thread count; null when no python3 with torch
 * is found. A failing script is an error with its output.
 */
export async function pytorchReference(
  spec: MlpSpec,
  data: { x: Float32Array; y: Int32Array; theta0: Float32Array },
  ee: { k: number; etaMax: number },
  threads: number[],
  steps: number,
): Promise<PytorchFigures[] | null> {
  const python = await pythonWithTorch();
  if (python === null) {
    console.error("bench: no python3 with torch found (apt-get install python3-torch): skipped");
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-pytorch-" });
  try {
    const n = data.y.length, C = spec.sizes.at(-1)!;
    const write = (name: string, a: Float32Array, shape: number[]) =>
      Deno.writeFile(`${dir}/${name}`, encodeNpy({ data: a, shape }));
    await write("x.npy", data.x, [n, spec.sizes[0]]);
    await write("y.npy", targetMatrix(data.y, n, C) as Float32Array, [n, C]);
    await write("theta0.npy", data.theta0, [data.theta0.length]);
    const specJson = { ...spec, k: ee.k, eta_max: ee.etaMax };
    await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(specJson));
    const figures: PytorchFigures[] = [];
    for (const t of threads) {
      const args = [SCRIPT, dir, "--threads", String(t), "--steps", String(steps)];
      // The BLAS keeps its own thread pool: it gets the same count as torch.
      const env = { OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
      const out = await new Deno.Command(python, { args, env, stdout: "piped", stderr: "piped" })
        .output();
      if (!out.success) {
        throw new Error(`${python} ${SCRIPT} failed: ${new TextDecoder().decode(out.stderr)}`);
      }
      figures.push(parseLine(new TextDecoder().decode(out.stdout)));
    }
    return figures;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `threads T gradient_ms G hvp_ms H ee_step_ms S applications_per_step A` */
function parseLine(line: string): PytorchFigures {
  const f = line.trim().split(/\s+/);
  const get = (key: string) => {
    const i = f.indexOf(key);
    const value = Number(f[i + 1]);
    if (i < 0 || !Number.isFinite(value)) throw new Error(`pytorch_ee.py: bad line "${line}"`);
    return value;
  };
  return {
    threads: get("threads"),
    gradientMs: get("gradient_ms"),
    hvpMs: get("hvp_ms"),
    eeStepMs: get("ee_step_ms"),
    applicationsPerStep: get("applications_per_step"),
  };
}

async function pythonWithTorch(): Promise<string | null> {
  for (const python of PYTHONS) {
    try {
      const probe = await new Deno.Command(python, {
        args: ["-c", "import torch"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (probe.success) return python;
    } catch {
      // not installed: try the next
    }
  }
  return null;
}
