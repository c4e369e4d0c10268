/**
 * End to end with two showcase configurations and a tiny sweep (a profile file over `ci`, nets of
 * 8 units, a few dozen steps: about 15 s): every showcase gets its own figures F1–F6 drawn from
 * its own runs, a row in the tables of claims 1–3 and a column in the verdict matrix; the sweep
 * configuration gets claim 4's row; fit.json's points carry each run's initial alignment (the
 * first `align_mean` of its measurements.csv), steps and stop reason.
 */
import { assert, assertEquals, assertNotEquals, assertStringIncludes } from "@std/assert";
import { figureIds } from "../report/mod.ts";
import { runReproduction } from "./cli_runs.ts";

const xor = (seed: number) => ({
  dataset: "xor",
  classes: [0, 1],
  pool: 1,
  standardise: false,
  n: 32,
  seed,
});
const tiny = {
  etaMax: 0.1,
  gdSharpnessFractions: [0.6],
  flowDtMax: 0.1,
  flowMaxTime: 4,
  flowMaxSteps: 200,
  stop: { lossBelow: 0.01, maxSteps: 40, maxTime: 4 },
  measureEvery: 5,
  gdSharpnessEvery: 2,
};
const PROFILE = {
  extends: "ci",
  showcases: [
    {
      name: "xor-a",
      data: xor(0),
      model: { hidden: [8, 8], activation: "elu", loss: "cross_entropy" },
      ...tiny,
    },
    {
      name: "xor-b",
      data: xor(1),
      model: { hidden: [8, 8], activation: "elu", loss: "mse" },
      ...tiny,
    },
  ],
  sweep: {
    configs: [{
      name: "xor-mse",
      data: { dataset: "xor", classes: [0, 1], pool: 1, standardise: false },
      model: { hidden: [8, 8], activation: "elu", loss: "mse" },
    }],
    sizes: [16, 32, 64],
    seeds: [0],
    etaMax: 0.1,
    stop: { lossBelow: 0.01, maxSteps: 20, maxTime: 2 },
  },
};

/** The first column `name` of a CSV file's rows, as numbers (empty cells: NaN). */
async function csvColumn(path: string, name: string): Promise<number[]> {
  const [head, ...rows] = (await Deno.readTextFile(path)).trim().split("\n");
  const i = head.split(",").indexOf(name);
  return rows.map((r) => r.split(",")[i] === "" ? NaN : Number(r.split(",")[i]));
}

/** The train artifacts' folders by `config` and `run`, read from their manifests. */
async function trainArtifacts(store: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const e of Deno.readDir(`${store}/train`)) {
    if (!e.isDirectory) continue;
    const dir = `${store}/train/${e.name}`;
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`).catch(() => "{}"));
    if (manifest.params) {
      found.set(`${manifest.params.config}/${manifest.params.run}/${manifest.params.n}`, dir);
    }
  }
  return found;
}

Deno.test({
  name: "two showcase configurations: figures, verdict rows and matrix columns for each",
  sanitizeResources: false,
  fn: async () => {
    const store = await Deno.makeTempDir({ prefix: "showcases-" });
    try {
      await Deno.writeTextFile(`${store}/two.json`, JSON.stringify(PROFILE));
      const out = await runReproduction([
        "run",
        "--config",
        `${store}/two.json`,
        "--artifacts",
        `${store}/a`,
      ]);
      assertEquals(out.code, 0, out.log.slice(-3000));
      const a = `${store}/a`;
      const figures = await Deno.realPath(`${a}/figures/latest`);
      const ids = figureIds(["showcase-xor-a", "showcase-xor-b"]);
      assertEquals(ids.length, 13);
      for (const id of ids) assert((await Deno.stat(`${figures}/${id}.png`)).size > 0, id);

      // Each showcase's F1 holds its own EE run: its first loss is that run's, not the other's.
      const train = await trainArtifacts(a);
      const firstLoss = async (config: string) =>
        (await csvColumn(`${train.get(`${config}/ee/32`)}/trajectory.csv`, "loss"))[0];
      const [lossA, lossB] = [await firstLoss("showcase-xor-a"), await firstLoss("showcase-xor-b")];
      assertNotEquals(lossA, lossB);
      for (const [name, loss] of [["a", lossA], ["b", lossB]] as const) {
        const spec = JSON.parse(await Deno.readTextFile(`${figures}/F1-xor-${name}.vl.json`));
        assertEquals(spec.title.subtitle, `showcase-xor-${name}`);
        const ee = spec.data.values.filter((v: { series: string }) => v.series === "EE");
        assertEquals(ee[0].value, loss);
      }

      const report = await Deno.realPath(`${a}/report/latest`);
      const claims = JSON.parse(await Deno.readTextFile(`${report}/claims.json`));
      assertEquals(
        claims.map((c: { configurations: { config: string }[] }) =>
          c.configurations.map((r) => r.config)
        ),
        [
          ["showcase-xor-a", "showcase-xor-b"],
          ["showcase-xor-a", "showcase-xor-b"],
          ["showcase-xor-a", "showcase-xor-b"],
          ["xor-mse"],
        ],
      );
      const md = await Deno.readTextFile(`${report}/report.md`);
      assertStringIncludes(md, "| claim | overall | showcase-xor-a | showcase-xor-b | xor-mse |");
      assertStringIncludes(md, "![F6-xor-b: Per-layer alignment factors along EE]");

      // fit.json: each point's initial alignment is its run's first align_mean.
      const fitDirs = [...Deno.readDirSync(`${a}/fit`)].filter((e) =>
        e.isDirectory && e.name !== ".latest"
      );
      assertEquals(fitDirs.length, 1);
      const fit = JSON.parse(await Deno.readTextFile(`${a}/fit/${fitDirs[0].name}/fit.json`));
      assertEquals(fit.points.map((p: { N: number }) => p.N), [16, 32, 64]);
      for (const p of fit.points) {
        const dir = train.get(`xor-mse/ee/${p.N}`)!;
        const align = await csvColumn(`${dir}/measurements.csv`, "align_mean");
        const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
        assertEquals(p.initialAlignment, align.find(Number.isFinite));
        assertEquals([p.steps, p.stopReason], [summary.steps, summary.stopReason]);
      }
    } finally {
      await Deno.remove(store, { recursive: true });
    }
  },
});
