/**
 * End to end: a `train` stage killed with SIGKILL in mid-run resumes from its checkpoint, and its
 * artifact is byte for byte the one an uninterrupted run writes (every output file, and so the
 * manifest's content hash, which downstream early cutoff compares).
 */
import { assert, assertEquals, assertMatch } from "@std/assert";

const ROOT = new URL("..", import.meta.url).pathname;
/** The ci profile's showcase EE run (XOR, full measurements every 20 steps), cut to 250 steps. */
const TARGET = "train[config=showcase-xor,n=128,run=ee,seed=0]";
const OUTPUTS = [
  "trajectory.csv",
  "measurements.csv",
  "theta.npy",
  "theta_snapshots.npy",
  "summary.json",
];

function pipeline(store: string, config: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}pipeline/main.ts`, "run", TARGET, "--profile", "ci"]
      .concat(["--config", config, "--artifacts", store]),
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<{ code: number; log: string }> {
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, log: text.decode(out.stdout) + text.decode(out.stderr) };
}

/** The pid of the stage worker whose job names `dir`, once one runs. */
async function workerPid(dir: string): Promise<number | null> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    if (cmdline.includes("pipeline/worker.ts") && cmdline.includes(dir)) return +entry.name;
  }
  return null;
}

function readDirNames(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return [];
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The single artifact folder of the train stage, and its files' bytes. */
async function artifact(store: string) {
  const keys = [...Deno.readDirSync(`${store}/train`)].filter((e) => !e.name.startsWith("."));
  assertEquals(keys.length, 1);
  const dir = `${store}/train/${keys[0].name}`;
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  const files = Object.fromEntries(
    await Promise.all(OUTPUTS.map(async (f) => [f, await Deno.readFile(`${dir}/${f}`)])),
  );
  return { manifest, files };
}

Deno.test({
  name: "train stage killed with SIGKILL resumes to the bytes of an uninterrupted run",
  sanitizeResources: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "train-resume-" });
    try {
      const config = `${root}/short.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({ showcases: [{ stop: { maxSteps: 250 } }] }),
      );
      const whole = await finish(pipeline(`${root}/whole`, config));
      assertEquals(whole.code, 0, whole.log.slice(-3000));

      const store = `${root}/killed`;
      const child = pipeline(store, config);
      // Kill the stage's process once its first checkpoint (step 100) is on disk.
      await waitFor("a checkpoint", async () => {
        const work = readDirNames(`${store}/train`).find((n) => n.startsWith(".work-"));
        return work
          ? await Deno.stat(`${store}/train/${work}/checkpoint.json`).catch(() => null)
          : null;
      });
      const pid = await waitFor("the train worker", () => workerPid(`${store}/train`));
      Deno.kill(pid, "SIGKILL");
      const killed = await finish(child);
      assertEquals(killed.code, 1);
      assertMatch(killed.log, /FAILED +train\[.*killed by signal SIGKILL/);

      const resumed = await finish(pipeline(store, config));
      assertEquals(resumed.code, 0, resumed.log.slice(-3000));
      const from = Number(resumed.log.match(/resumed from the checkpoint at step (\d+)/)?.[1]);
      assert(from >= 100 && from < 250, resumed.log.slice(-3000));

      const [a, b] = [await artifact(`${root}/whole`), await artifact(store)];
      assertEquals(b.files, a.files);
      // The ci profile takes θ snapshots: one per full measurement (steps 0, 20, …, 240, 250).
      const summary = JSON.parse(new TextDecoder().decode(a.files["summary.json"]));
      assertEquals(summary.snapshots, 14);
      assertEquals(b.manifest.contentHash, a.manifest.contentHash);
      assertEquals([a.manifest.recorded.resumedFrom, b.manifest.recorded.resumedFrom], [
        null,
        from,
      ]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
