/**
 * End to end, table-driven: every bad configuration file and every bad flag stops the real
 * pipeline's command line before any work, with exit code 2 and one message that names the file
 * (with line and column where the file has them) or the flag, the field, and what is allowed, and
 * nothing is written to the artifacts folder.
 *
 * The expected limits are computed by hand from the datasets' published class counts and image
 * sizes, not by the code under test: Fashion-MNIST 6000 training images per class; MNIST's
 * digits 0 and 1 have 5923 and 6742 (2 × 5923 = 11846 is the largest balanced pair), its digit 5
 * the fewest, 5421 (10 classes: 10 × 5421 + one more each for digits 0–4 = 54215); CIFAR-10
 * 5000 per class; 28 = 2²·7 and 32 = 2⁵ for the pooling divisors.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { runCli } from "../pipeline/cli.ts";
import { cliOptions, pipeline } from "../stages/mod.ts";

/** One case: the file (name and text; none for flag-only cases), the arguments, the message. */
interface Case {
  readonly name: string;
  readonly file?: readonly [string, string];
  readonly args?: readonly string[];
  readonly message: string;
}

const ci = (yaml: string) => ["mine.yaml", `extends: ci\n${yaml}`] as const;

const CONFIG_CASES: Case[] = [
  {
    name: "size beyond the data (10⁹)",
    file: ci("sweep:\n  sizes: [32, 64, 1000000000]\n"),
    message: "mine.yaml:3:3: sweep.sizes: sweep.configs[0] (fashion-mnist-cross-entropy) draws " +
      "a balanced subset of fashion-mnist's classes [0, 6], whose training split holds " +
      "[6000, 6000] examples: at most N = 12000, got 1000000000",
  },
  {
    name: "20,000 for 2 classes",
    file: ci("sweep:\n  sizes: [32, 64, 20000]\n"),
    message: "mine.yaml:3:3: sweep.sizes: ",
  },
  {
    name: "MNIST's two first digits hold 2 × 5923",
    file: ci(
      "sweep:\n  sizes: [32, 64, 11847]\n  configs:\n    - name: m\n" +
        "      data: {dataset: mnist, classes: [0, 1]}\n",
    ),
    message: "[5923, 6742] examples: at most N = 11846, got 11847",
  },
  {
    name: "MNIST's ten digits: 54215 at most",
    file: ci(
      "showcases:\n  - data: {dataset: mnist, classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], pool: 4, " +
        "n: 54216}\n",
    ),
    message: "mine.yaml:3:78: showcases[0].data.n: showcases[0].data draws a balanced subset of " +
      "mnist's classes [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], whose training split holds " +
      "[5923, 6742, 5958, 6131, 5842, 5421, 5918, " +
      "6265, 5851, 5949] examples: at most N = 54215, got 54216",
  },
  {
    name: "CIFAR-10: 5000 per class",
    file: ci(
      "sweep:\n  sizes: [100, 200, 50001]\n  configs:\n    - name: c\n" +
        "      data: {dataset: cifar10, classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], pool: 4}\n",
    ),
    message: "at most N = 50000, got 50001",
  },
  {
    name: "pool 3 does not divide 28",
    file: ci("sweep:\n  configs:\n    - name: p\n      data: {pool: 3}\n"),
    message: "mine.yaml:5:14: sweep.configs[0].data.pool: must divide fashion-mnist's 28×28 " +
      "images (one of 1, 2, 4, 7, 14, 28), got 3",
  },
  {
    name: "pool 3 does not divide 32",
    file: ci("sweep:\n  configs:\n    - name: p\n      data: {dataset: cifar10, pool: 3}\n"),
    message: "must divide cifar10's 32×32 images (one of 1, 2, 4, 8, 16, 32), got 3",
  },
  {
    name: "pooling XOR",
    file: ci("showcases:\n  - data:\n      pool: 2\n"),
    message: "mine.yaml:4:7: showcases[0].data.pool: xor has no image to pool; must be 1, got 2",
  },
  {
    name: "3 classes of XOR",
    file: ci("showcases:\n  - data:\n      classes: [0, 1, 2]\n"),
    message: "mine.yaml:4:7: showcases[0].data.classes: xor takes exactly 2 labels, got [0,1,2]",
  },
  {
    name: "XOR's classes out of order",
    file: ci("showcases:\n  - data:\n      classes: [1, 0]\n"),
    message: "showcases[0].data.classes: xor takes its first C classes [0, …, C − 1], got [1,0]",
  },
  {
    name: "classes as a count",
    file: ci("showcases:\n  - data:\n      classes: 2\n"),
    message: "mine.yaml:4:7: showcases[0].data.classes: must be a list, got 2",
  },
  {
    name: "a label twice",
    file: ci("sweep:\n  configs:\n    - name: m\n      data: {dataset: mnist, classes: [4, 4]}\n"),
    message: "sweep.configs[0].data.classes: each label at most once, got [4,4]",
  },
  {
    name: "a label outside 0..9",
    file: ci("sweep:\n  configs:\n    - name: m\n      data: {dataset: mnist, classes: [4, 10]}\n"),
    message: "sweep.configs[0].data.classes: labels are integers in 0..9, got [4,10]",
  },
  {
    name: "11 classes of MNIST",
    file: ci(
      "sweep:\n  configs:\n    - name: m\n" +
        "      data: {dataset: mnist, classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]}\n",
    ),
    message:
      "sweep.configs[0].data.classes: mnist takes 2 to 10 labels, got [0,1,2,3,4,5,6,7,8,9,9]",
  },
  {
    name: "1 class",
    file: ci("showcases:\n  - data: {classes: [0]}\n"),
    message: "showcases[0].data.classes: xor takes exactly 2 labels, got [0]",
  },
  {
    name: "fewer examples than classes",
    file: ci(
      "sweep:\n  sizes: [4, 64, 128]\n  configs:\n    - name: t\n" +
        "      data: {classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n",
    ),
    message: "sweep.sizes: sweep.configs[0] (t) has 10 classes, each needing at least one " +
      "example; got N = 4",
  },
  {
    name: "no hidden layer",
    file: ci("showcases:\n  - model:\n      hidden: []\n"),
    message: "mine.yaml:4:7: showcases[0].model.hidden: must list at least one hidden width",
  },
  {
    name: "a billion hidden units",
    file: ci(
      "sweep:\n  configs:\n    - name: big\n      model:\n        hidden: [1000000000, 64]\n",
    ),
    message: "mine.yaml:6:9: sweep.configs[0].model.hidden: the network 49-1000000000-64-2 has " +
      "1.140e+11 parameters; the eigen-solver's float64 basis and its Hessian products would " +
      "need 4.08e+4 GiB, over the 16.0 GiB allowed (at most 44,739,242 parameters)",
  },
  {
    name: "a zero width",
    file: ci("sweep:\n  configs:\n    - name: z\n      model: {hidden: [64, 0]}\n"),
    message: "sweep.configs[0].model.hidden: must hold integers ≥ 1, got 0",
  },
  {
    name: "a fractional width",
    file: ci("showcases:\n  - model: {hidden: [1.5]}\n"),
    message: "showcases[0].model.hidden: must hold integers ≥ 1, got 1.5",
  },
  {
    name: "a width that is not a number",
    file: ci("showcases:\n  - model: {hidden: [64, wide]}\n"),
    message: `mine.yaml:3:26: showcases[0].model.hidden[1]: must be a number, got "wide"`,
  },
  {
    name: "no seeds",
    file: ci("sweep:\n  seeds: []\n"),
    message: "mine.yaml:3:3: sweep.seeds: must not be empty (every size needs at least one run)",
  },
  {
    name: "a repeated seed",
    file: ci("sweep:\n  seeds: [1, 1]\n"),
    message: "sweep.seeds: 1 appears twice, got [1,1]",
  },
  { name: "a negative seed", file: ci("sweep:\n  seeds: [-1]\n"), message: "sweep.seeds: " },
  {
    name: "a seed beyond 32 bits",
    file: ci("sweep:\n  seeds: [4294967296]\n"),
    message: "sweep.seeds: seeds are integers in 0..4294967295, got 4294967296",
  },
  {
    name: "seeds as a string",
    file: ci('sweep:\n  seeds: "0, 1"\n'),
    message: `mine.yaml:3:3: sweep.seeds: must be a list, got "0, 1"`,
  },
  {
    name: "a repeated size",
    file: ci("sweep:\n  sizes: [32, 64, 64, 128]\n"),
    message: "sweep.sizes: 64 appears twice",
  },
  {
    name: "two sizes",
    file: ci("sweep:\n  sizes: [32, 64]\n"),
    message: "sweep.sizes: a power law needs at least 3 distinct sizes, got [32,64]",
  },
  {
    name: "extends a number",
    file: ["mine.yaml", "extends: 5\n"],
    message: "mine.yaml:1:1: extends: must name a profile (one of ci, quick, paper), got 5",
  },
  {
    name: "extends an unknown profile",
    file: ["bad.json", `{"extends": "huge"}`],
    message: `bad.json:1:2: extends: must name a profile (one of ci, quick, paper), got "huge"`,
  },
  {
    name: "extends contradicts --profile",
    file: ["mine.yaml", "extends: quick\n"],
    args: ["--profile", "ci"],
    message: `mine.yaml:1:1: extends: "quick" contradicts --profile ci`,
  },
  {
    name: "an empty section",
    file: ci("showcases:\n  - stop:\n"),
    message: "mine.yaml:3:5: showcases[0].stop: is empty; give its fields (lossBelow, maxSteps, " +
      "maxTime) or leave the line out",
  },
  {
    name: "an empty top section",
    file: ci("sweep:\n"),
    message: "mine.yaml:2:1: sweep: is empty; give its fields",
  },
  {
    name: "an empty value",
    file: ci("sweep:\n  etaMax:\n"),
    message: "mine.yaml:3:3: sweep.etaMax: is empty; give a number",
  },
  {
    name: "an empty file",
    file: ["mine.yaml", ""],
    message:
      "mine.yaml: (top level): must be a mapping of fields (extends, backend, snapshotLimitMB, " +
      "showcases, sweep, resources), got an empty file",
  },
  {
    name: "a list at the top",
    file: ["mine.yaml", "- extends: ci\n"],
    message: "(top level): must be a mapping of fields",
  },
  {
    name: "a JSON syntax error",
    file: ["mine.json", '{"extends": "ci",\n "sweep": {"sizes": [32, 64, }}'],
    message: `mine.json:2:30: JSON syntax error: expected a value, found "}"`,
  },
  {
    name: "a JSON string not closed",
    file: ["mine.json", '{"extends": "ci}\n'],
    message: "mine.json:1:13: JSON syntax error: a string is not closed",
  },
  {
    name: "a JSON duplicate key",
    file: ["mine.json", '{"extends": "ci",\n "extends": "quick"}'],
    message: `mine.json:2:2: JSON syntax error: the key "extends" appears twice in the same object`,
  },
  {
    name: "a YAML flow list not closed",
    file: ci("sweep:\n  seeds: [1, 2\n"),
    message: "mine.yaml:4:1: YAML syntax error: ",
  },
  {
    name: "a YAML duplicate block key",
    file: ci("sweep:\n  sizes: [32, 64, 128]\nsweep:\n  seeds: [1]\n"),
    message: "mine.yaml:4:1: YAML syntax error: a key appears twice in the same mapping",
  },
  {
    name: "a YAML duplicate nested key",
    file: ci("sweep:\n  seeds: [1]\n  seeds: [2]\n"),
    message: "mine.yaml:4:3: YAML syntax error: a key appears twice in the same mapping",
  },
  {
    name: "a YAML tab indent",
    file: ci("sweep:\n\tseeds: [1]\n"),
    message: "mine.yaml:3:1: YAML syntax error: ",
  },
  {
    name: "an unknown field",
    file: ci("sweep:\n  seedz: [1]\n"),
    message: "mine.yaml:3:3: sweep.seedz: unknown field; allowed: configs, sizes, seeds",
  },
  {
    name: "a word for a number",
    file: ["mine.json", `{"showcases": [{"etaMax": "fast"}]}`],
    message: `mine.json:1:17: showcases[0].etaMax: must be a number, got "fast"`,
  },
  {
    name: "an unknown activation",
    file: ci("showcases:\n  - model: {activation: gelu}\n"),
    message: `showcases[0].model.activation: "gelu" is not one of elu, tanh, relu`,
  },
  {
    name: "an unknown dataset",
    file: ci("sweep:\n  configs:\n    - name: i\n      data: {dataset: imagenet}\n"),
    message: `sweep.configs[0].data.dataset: "imagenet" is not one of fashion-mnist, mnist`,
  },
  {
    name: "an unknown backend in the file",
    file: ci("backend: gpu9\n"),
    message: `mine.yaml:2:1: backend: "gpu9" is not one of`,
  },
  {
    name: "a GD fraction above 1",
    file: ci("showcases:\n  - gdSharpnessFractions: [1.5]\n"),
    message: "showcases[0].gdSharpnessFractions: each must lie in (0, 1), got 1.5",
  },
  {
    name: "no GD fraction",
    file: ci("showcases:\n  - gdSharpnessFractions: []\n"),
    message: "showcases[0].gdSharpnessFractions: must not be empty (claim 1 needs a GD run)",
  },
  {
    name: "a step cap beyond safe integers",
    file: ci("sweep:\n  stop: {maxSteps: 100000000000000000000}\n"),
    message:
      "mine.yaml:3:10: sweep.stop.maxSteps: must be an integer ≥ 1, got 100000000000000000000",
  },
  {
    name: "no steps",
    file: ci("showcases:\n  - stop: {maxSteps: 0}\n"),
    message: "showcases[0].stop.maxSteps: must be an integer ≥ 1, got 0",
  },
  {
    name: "a negative loss target",
    file: ci("sweep:\n  stop: {lossBelow: -1}\n"),
    message: "sweep.stop.lossBelow: must be ≥ 0, got -1",
  },
  {
    name: "a zero step size",
    file: ci("sweep:\n  etaMax: 0\n"),
    message: "mine.yaml:3:3: sweep.etaMax: must be > 0, got 0",
  },
  {
    name: "a NaN step size",
    file: ci("sweep:\n  etaMax: .nan\n"),
    message: "sweep.etaMax: must be a finite number, got NaN",
  },
  {
    name: "no configuration",
    file: ci("sweep:\n  configs: []\n"),
    message: "sweep.configs: must not be empty (the power law needs a configuration)",
  },
  {
    name: "two configurations of one name",
    file: ci("sweep:\n  configs:\n    - name: a\n    - name: a\n"),
    message: `sweep.configs: names must differ, got ["a","a"]`,
  },
  {
    name: "a configuration name with a slash",
    file: ci("sweep:\n  configs:\n    - name: a/b\n"),
    message: "mine.yaml:4:7: sweep.configs[0].name: must be a name of letters, digits",
  },
  {
    name: "a negative snapshot limit",
    file: ci("snapshotLimitMB: -1\n"),
    message: "mine.yaml:2:1: snapshotLimitMB: must be ≥ 0 (MiB; 0 keeps no θ snapshots), got -1",
  },
  {
    name: "no showcase",
    file: ci("showcases: []\n"),
    message: "mine.yaml:2:1: showcases: must not be empty (claims 1–3 need a showcase)",
  },
  {
    name: "two showcases of one name",
    file: ci("showcases:\n  - name: a\n  - name: a\n"),
    message: `mine.yaml:4:5: showcases[1].name: "a" is used twice`,
  },
  {
    name: "a sweep configuration named like a showcase's runs",
    file: ci("sweep:\n  configs:\n    - name: showcase-x\n"),
    message:
      `mine.yaml:4:7: sweep.configs[0].name: must not start with "showcase-", got "showcase-x"`,
  },
  {
    name: "a file that does not exist",
    args: ["--config", "nosuch.yaml"],
    message: "--config nosuch.yaml: cannot read it (no such file)",
  },
  {
    name: "a folder for a file",
    args: ["--config", "."],
    message: "--config .: cannot read it (is a directory)",
  },
];

const FLAG_CASES: Case[] = [
  {
    name: "--jobs beyond any machine",
    args: ["--jobs", "99999999999999999999"],
    message: `--jobs: must be an integer in 1..256, got "99999999999999999999"`,
  },
  { name: "--jobs 0", args: ["--jobs", "0"], message: `--jobs: must be an integer in 1..256` },
  { name: "--jobs 1.5", args: ["--jobs", "1.5"], message: `got "1.5"` },
  { name: "--jobs in hex", args: ["--jobs", "0x10"], message: `got "0x10"` },
  { name: "--jobs negative", args: ["--jobs", "-3"], message: `got "-3"` },
  { name: "--jobs=word", args: ["--jobs=many"], message: `--jobs: must be an integer` },
  { name: "--jobs without a value", args: ["--jobs"], message: "--jobs needs a value" },
  { name: "--jobs before a flag", args: ["--jobs", "--only"], message: "--jobs needs a value" },
  {
    name: "an unknown profile",
    args: ["--profile", "huge"],
    message: `--profile: "huge" is not one of ci, quick, paper`,
  },
  { name: "--profile without a value", args: ["--profile"], message: "--profile needs a value" },
  {
    name: "an unknown backend",
    args: ["--backend", "gpu9"],
    message: `--backend: "gpu9" is not one of`,
  },
  { name: "an unknown option", args: ["--frobnicate"], message: "unknown option --frobnicate" },
  { name: "an unknown short option", args: ["-x"], message: "unknown option -x (see --help)" },
  {
    name: "a command after an option",
    args: ["--profile", "paper", "status"],
    message: `"status" is a command and must come first: pipeline status --profile paper`,
  },
  {
    name: "a command after a target",
    args: ["train", "verify"],
    message: `"verify" is a command and must come first: pipeline verify train`,
  },
  {
    name: "two commands",
    args: ["run", "status"],
    message: `"status" is a command, and "run" was already given: give one command, first`,
  },
  {
    name: "an unknown target",
    args: ["trian"],
    message: `unknown target "trian" (stages: source, data, train`,
  },
  {
    name: "targets and --from",
    args: ["train", "--from", "fit"],
    message: "give targets either plainly or with --from, not both",
  },
  { name: "--config without a value", args: ["--config"], message: "--config needs a value" },
  {
    name: "--artifacts without a value",
    args: ["--artifacts"],
    message: "--artifacts needs a value",
  },
];

/** Runs the real command line in this process; returns its exit code and error text. */
async function cli(root: string, args: readonly string[]) {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    const code = await runCli(args, pipeline, {
      projectRoot: root,
      definitionOptions: cliOptions,
      out: () => {},
    });
    return { code, stderr: errors.join("\n") };
  } finally {
    console.error = original;
  }
}

for (const [group, cases] of [["config", CONFIG_CASES], ["flag", FLAG_CASES]] as const) {
  Deno.test(`bad ${group}s stop before any work, naming the file or flag and the field`, async () => {
    const root = await Deno.makeTempDir({ prefix: "config-errors-" });
    const cwd = Deno.cwd();
    Deno.chdir(root); // relative --config paths resolve here, as from a shell
    try {
      for (const c of cases) {
        const args = [...(c.args ?? [])];
        if (c.file) {
          await Deno.writeTextFile(`${root}/${c.file[0]}`, c.file[1]);
          args.push("--config", c.file[0]);
        }
        const hasStore = args.includes("--artifacts");
        const r = await cli(root, hasStore ? args : [...args, "--artifacts", "store"]);
        assertEquals(r.code, 2, `${c.name}: exit code (stderr: ${r.stderr})`);
        assertStringIncludes(r.stderr, c.message, `${c.name}`);
        assertEquals(r.stderr.split("\n").length, 1, `${c.name}: one line, got ${r.stderr}`);
        for (const store of ["store", "artifacts"]) {
          const written = await Deno.stat(`${root}/${store}`).then(() => true, () => false);
          assert(!written, `${c.name}: ${store}/ was written`);
        }
      }
      assert(cases.length >= (group === "config" ? 45 : 17), `${group}: ${cases.length} cases`);
    } finally {
      Deno.chdir(cwd);
      await Deno.remove(root, { recursive: true });
    }
  });
}
