/**
 * End to end: tools/recheck_run.py (numpy and scipy, written apart from the project's code)
 * recomputes every full measurement's loss and sharpness from a `train` artifact's θ snapshots and
 * its `data` artifact alone, and agrees with the recorded numbers.
 */
import { assert, assertAlmostEquals } from "@std/assert";

const ROOT = new URL("..", import.meta.url).pathname;
/** The ci showcase's EE run (XOR, cross-entropy) cut short, and a sweep run (Fashion-MNIST). */
const TARGETS = [
  "train[config=showcase-xor,n=128,run=ee,seed=0]",
  "train[config=fashion-mnist-cross-entropy,n=32,run=ee,seed=0]",
];

async function run(command: string, args: string[]) {
  const out = await new Deno.Command(command, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test({
  name: "numpy recomputes each snapshot's loss and sharpness as the run recorded them",
  sanitizeResources: false,
  fn: async () => {
    const store = await Deno.makeTempDir({ prefix: "recheck-" });
    try {
      const config = `${store}/short.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({ showcases: [{ stop: { maxSteps: 100 } }] }),
      );
      const args = ["run", "-A", "--quiet", `${ROOT}pipeline/main.ts`, "run", ...TARGETS];
      const built = await run(Deno.execPath(), [
        ...args,
        ...["--profile", "ci", "--config", config, "--artifacts", store],
      ]);
      assert(built.code === 0, built.stderr.slice(-3000));
      let checked = 0;
      for (const entry of Deno.readDirSync(`${store}/train`)) {
        if (entry.name.startsWith(".")) continue;
        const out = await run("python3", ["tools/recheck_run.py", `${store}/train/${entry.name}`]);
        assert(out.code === 0, out.stderr);
        for (const line of out.stdout.trim().split("\n")) {
          const r = JSON.parse(line);
          // The run's float32 loss: logsumexp(z) − z_y cancels digits when the loss (0.01 at the
          // end) is far below |z| (≈ 5 here), so its rounding reaches ~1e-6·|z|/L relative.
          assertAlmostEquals(r.lossRecomputed, r.loss, 1e-5 * r.loss, line);
          assertAlmostEquals(r.sharpnessRecomputed, r.sharpness, 1e-4 * r.sharpness, line);
          checked++;
        }
      }
      assert(checked >= 2 + 5, `only ${checked} measurements rechecked`);
    } finally {
      await Deno.remove(store, { recursive: true });
    }
  },
});
