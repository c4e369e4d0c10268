/**
 * End to end: the `ci` profile from an empty artifacts directory — the pipeline completes, every
 * figure and the report exist, each claim has a computed verdict, the report displays in headless
 * Chromium without errors; the same profile through SLURM (a real one-node cluster) runs every
 * instance as a SLURM job with the same results; a second run is a no-op; changing one dataset
 * size reruns only its branch (and what summarises every branch).
 */
import { assert, assertEquals } from "@std/assert";
import { figureIds, inspectPageInChromium } from "../report/mod.ts";
import { finishedJobs, startCluster } from "./slurm_cluster.ts";
import { ranInstances, runReproduction } from "./cli_runs.ts";

const FIGURE_IDS = figureIds(["showcase-xor"]);
const VERDICTS = ["reproduced", "partly reproduced", "not reproduced", "inconclusive"];

const ROOT = new URL("..", import.meta.url).pathname;

const pipeline = (...args: string[]) => runReproduction(args);

const CI_RUN = ["run", "--profile", "ci", "--artifacts"];

Deno.test({
  name: "ci profile: complete run, figures, report with verdicts, no-op rerun, one-branch rerun",
  sanitizeResources: false,
  fn: async () => {
    const store = await Deno.makeTempDir({ prefix: "reproduction-" });
    // The same profile through SLURM, side by side with the local run: each fills the cores the
    // other leaves idle along its critical path (on 2 cores, ~25% faster than one after the other).
    const cluster = await startCluster();
    const slurmStore = await Deno.makeTempDir({ prefix: "reproduction-slurm-" });
    const viaSlurm = runReproduction([...CI_RUN, slurmStore, "--executor", "slurm"], cluster.env);
    try {
      const first = await pipeline(...CI_RUN, store);
      assertEquals(first.code, 0, first.log.slice(-4000));

      const latest = (stage: string) => Deno.realPath(`${store}/${stage}/latest`);
      const figureDir = await latest("figures");
      for (const id of FIGURE_IDS) {
        for (const ext of ["vl.json", "svg", "png"]) {
          assert((await Deno.stat(`${figureDir}/${id}.${ext}`)).size > 0, `${id}.${ext}`);
        }
      }
      const reportDir = await latest("report");
      const claims = JSON.parse(await Deno.readTextFile(`${reportDir}/claims.json`));
      assertEquals(claims.map((c: { id: number }) => c.id), [1, 2, 3, 4]);
      for (const c of claims) {
        assert(VERDICTS.includes(c.verdict), c.verdict);
        assert(c.reason.length > 0, `claim ${c.id} gives its reason`);
        // A row per configuration: the showcase for claims 1–3, the sweep's for claim 4.
        const configs = c.configurations.map((r: { config: string }) => r.config);
        assertEquals(configs, c.id < 4 ? ["showcase-xor"] : ["fashion-mnist-cross-entropy"]);
        for (const r of c.configurations) assert(r.reason.length > 0, `${c.id} ${r.config}`);
      }
      const markdown = await Deno.readTextFile(`${reportDir}/report.md`);
      for (const c of claims) assert(markdown.includes(c.verdict));

      const page = await inspectPageInChromium(`${reportDir}/index.html`);
      assertEquals(page.errors, []);
      assertEquals(page.images.length, FIGURE_IDS.length);
      for (const img of page.images) assert(img.naturalWidth > 0 && img.width > 0, img.alt);

      const slurmRun = await viaSlurm;
      assertEquals(slurmRun.code, 0, slurmRun.log.slice(-4000));
      await sameResults(store, slurmStore);

      const again = await pipeline("run", "--profile", "ci", "--artifacts", store);
      assertEquals(again.code, 0, again.log.slice(-2000));
      assertEquals(ranInstances(again.log), [], "a second run is a no-op");

      // One dataset size changes (256 → 200): only its branch and the summaries rerun.
      const config = `${store}/override.json`;
      await Deno.writeTextFile(
        config,
        JSON.stringify({ sweep: { sizes: [16, 32, 64, 128, 200] } }),
      );
      const changed = await pipeline(
        "run",
        "--profile",
        "ci",
        "--config",
        config,
        "--artifacts",
        store,
      );
      assertEquals(changed.code, 0, changed.log.slice(-2000));
      const branch = [0, 1, 2].flatMap((seed) => [
        `data[classes=[0,6],dataset=fashion-mnist,n=200,pool=4,seed=${seed},standardise=true]`,
        `train[config=fashion-mnist-cross-entropy,n=200,run=ee,seed=${seed}]`,
      ]);
      assertEquals(
        ranInstances(changed.log),
        [...branch, "figures", "fit[config=fashion-mnist-cross-entropy]", "report"].sort(),
      );
    } finally {
      await viaSlurm.catch(() => {});
      await Deno.remove(store, { recursive: true });
      await Deno.remove(slurmStore, { recursive: true });
      await cluster.stop();
    }
  },
});

interface ManifestView {
  instance: string;
  stage: string;
  outputs: Record<string, { hash: string }>;
  executor?: { kind: string; jobId: string };
}

async function manifests(store: string): Promise<Map<string, ManifestView & { dir: string }>> {
  const found = new Map<string, ManifestView & { dir: string }>();
  for await (const stage of Deno.readDir(store)) {
    if (!stage.isDirectory || stage.name.startsWith(".")) continue;
    for await (const key of Deno.readDir(`${store}/${stage.name}`)) {
      if (!key.isDirectory || key.name.startsWith(".")) continue;
      const dir = `${store}/${stage.name}/${key.name}`;
      const m = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)) as ManifestView;
      found.set(m.instance, { ...m, dir });
    }
  }
  return found;
}

/**
 * The ci profile run through SLURM into `slurmStore`: every instance ran as a SLURM job (SLURM's
 * own completion log has each job, under the instance's name, completed) and every output is the
 * local run's, byte for byte: claims, fits, trained parameters, data, tables, figures, the report.
 */
async function sameResults(localStore: string, slurmStore: string): Promise<void> {
  const local = await manifests(localStore);
  const slurm = await manifests(slurmStore);
  assertEquals([...slurm.keys()].sort(), [...local.keys()].sort());
  const jobs = new Map(
    (await finishedJobs(ROOT.replace(/\/$/, ""), slurm.size)).map((j) => [j.id, j]),
  );
  const ids = new Set<string>();
  for (const [instance, m] of slurm) {
    assertEquals(m.executor?.kind, "slurm", instance);
    const job = jobs.get(m.executor!.jobId);
    assertEquals([job?.name, job?.state], [instance, "COMPLETED"], `SLURM job of ${instance}`);
    ids.add(m.executor!.jobId);
  }
  assertEquals(ids.size, slurm.size, "one job per instance");
  for (const [instance, m] of slurm) {
    const l = local.get(instance)!;
    assertEquals(Object.keys(m.outputs).sort(), Object.keys(l.outputs).sort(), instance);
    for (const name of Object.keys(l.outputs)) {
      const bytes = (dir: string) => Deno.readFile(`${dir}/${name}`);
      assertEquals(await bytes(m.dir), await bytes(l.dir), `${instance}: ${name}`);
    }
  }
}
