/**
 * End to end on a real one-node SLURM cluster (tools/slurm.sh, started here when not running):
 * every instance is one SLURM job named after it, with the same artifacts as a local run; a
 * failing stage, a job cancelled with scancel, Ctrl-C on the driver, and a driver killed with
 * SIGKILL then started again. SLURM's own completion log is the witness of which jobs ran.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { DEFAULT_INSTANCES, FixtureProject, StderrWatcher } from "./pipeline_fixture.ts";
import { finishedJobs, jobStates, scancel, startCluster } from "./slurm_cluster.ts";
import { ranInstances } from "./cli_runs.ts";

const escape = (text: string) => text.replace(/[[\]]/g, "\\$&");
const SLURM = ["--executor", "slurm"];

/** Output hashes per instance, from the manifests of an artifacts folder. */
async function outputsByInstance(root: string): Promise<Map<string, unknown>> {
  const found = new Map<string, unknown>();
  for await (const stage of Deno.readDir(root)) {
    if (!stage.isDirectory || stage.name.startsWith(".")) continue;
    for await (const key of Deno.readDir(`${root}/${stage.name}`)) {
      if (!key.isDirectory || key.name.startsWith(".")) continue;
      const m = JSON.parse(
        await Deno.readTextFile(`${root}/${stage.name}/${key.name}/manifest.json`),
      );
      found.set(m.instance, { outputs: m.outputs, executor: m.executor?.kind ?? "local" });
    }
  }
  return found;
}

Deno.test("a shell not set up for the cluster fails before any work, in one line naming SLURM's error and the fix", async () => {
  const p = await FixtureProject.create();
  try {
    // An squeue that answers as SLURM's does when it finds no controller.
    await p.write(
      "bin/squeue",
      "#!/bin/sh\necho 'squeue: error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host' >&2\n" +
        "echo 'squeue: error: fetch_config: DNS SRV lookup failed' >&2\nexit 1\n",
    );
    await Deno.chmod(`${p.root}/bin/squeue`, 0o755);
    p.env = { PATH: `${p.root}/bin:${Deno.env.get("PATH")}` };
    const r = await p.cli("run", ...SLURM);
    assertEquals(r.code, 2, r.stderr); // as for any error found before work starts
    assertEquals(
      r.stderr.trim(),
      "pipeline: --executor slurm: the SLURM controller does not answer (squeue failed: squeue: " +
        "error: resolve_ctls_from_dns_srv: res_nsearch error: Unknown host); is this shell set up " +
        "for the cluster (/etc/slurm/slurm.conf or SLURM_CONF; for tools/slurm.sh's one-node " +
        "cluster: eval $(tools/slurm.sh env))?",
    );
    const made: string[] = [];
    const store = `${p.root}/artifacts`;
    if (await Deno.stat(store).then(() => true, () => false)) {
      for await (const e of Deno.readDir(store)) if (!e.name.startsWith(".")) made.push(e.name);
    }
    assertEquals(made, [], "no stage folder was made");
  } finally {
    await p.dispose();
  }
});

Deno.test({
  name: "SLURM executor on a one-node cluster",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const cluster = await startCluster();
    const project = async (config: Parameters<typeof FixtureProject.create>[0]) => {
      const p = await FixtureProject.create(config);
      p.env = { ...cluster.env, PIPELINE_SLURM_SQUEUE_MS: "500" };
      return p;
    };
    try {
      await t.step(
        "every instance is one SLURM job named after it, with a local run's artifacts; a failing stage shows its state, job id and log; a checkpoint survives a failed job",
        async () => {
          const p = await project({ broken: ["throw", "resume"] });
          try {
            const local = await p.cli("run", "--artifacts", "local");
            assertEquals(local.code, 1, local.stderr);
            const r = await p.cli("run", ...SLURM);
            assertEquals(r.code, 1, r.stderr);
            // One line: the SLURM state, the job id, the stage's error, the stage's log.
            const failed = r.stderr.match(
              /^FAILED +broken\[mode=throw\]: SLURM job (\d+) FAILED on \S+ \(exit status 1\): deliberate failure in broken stage \(log: (\S+)\)$/m,
            );
            assert(failed, r.stderr);
            // The stage's log holds the stack and names the job's log, kept beside the instance's
            // work directory.
            const log = await Deno.readTextFile(failed![2]);
            assertMatch(log, /at Object\.run .*broken\.ts/);
            const jobLog = log.match(/job log: (\S+\/broken\/\.slurm-[0-9a-f]+\/job-(\d+)\.log)/);
            assertEquals(jobLog?.[2], failed![1], log);
            assertMatch(await Deno.readTextFile(jobLog![1]), /"t":"slurm-exit","status":1/);
            const ids = DEFAULT_INSTANCES;
            assertEquals(ranInstances(r.stderr), ids);
            const broken = ["broken[mode=resume]", "broken[mode=throw]"];
            const jobs = await finishedJobs(p.root, 9);
            assertEquals(jobs.map((j) => j.name).sort(), [...broken, ...ids].sort());
            for (const j of jobs) {
              assertEquals(j.state, broken.includes(j.name) ? "FAILED" : "COMPLETED", j.name);
            }
            const viaSlurm = await outputsByInstance(`${p.root}/artifacts`);
            const viaLocal = await outputsByInstance(`${p.root}/local`);
            assertEquals([...viaSlurm.keys()].sort(), ids);
            for (const id of ids) {
              const s = viaSlurm.get(id) as { outputs: unknown; executor: string };
              const l = viaLocal.get(id) as { outputs: unknown; executor: string };
              assertEquals([s.executor, l.executor], ["slurm", "local"]);
              assertEquals(s.outputs, l.outputs, `${id}: the same bytes`);
            }
            // The manifest names the job that SLURM recorded under the instance's name.
            const total = JSON.parse(
              await Deno.readTextFile(`${await p.artifactDir("total", "total")}/manifest.json`),
            );
            assertEquals(jobs.find((j) => j.id === total.executor.jobId)?.name, "total");
            // The next job of the instance that failed after a checkpoint resumes from it.
            const again = await p.cli("run", ...SLURM, "broken[mode=resume]");
            assertEquals(again.code, 0, again.stderr);
            const out = `${await p.artifactDir("broken", "broken[mode=resume]")}/out.bin`;
            assertEquals(await Deno.readTextFile(out), "resumed from half done");
          } finally {
            await p.dispose();
          }
        },
      );

      await t.step(
        "scancel of a running job ends its instance as CANCELLED with the job id; the rest of the DAG goes on",
        async () => {
          const p = await project({ sleepMs: 3000, sweep: { n: [1, 2], seed: [0] } });
          try {
            const child = p.spawn("run", ...SLURM);
            const watcher = new StderrWatcher(child);
            const m = await watcher.waitFor(/\[count\[n=1,seed=0\]\] SLURM job (\d+) started/);
            await scancel(m[1]);
            const status = await child.status;
            await watcher.done;
            assertEquals(status.code, 1, watcher.text);
            assertMatch(
              watcher.text,
              new RegExp(`^FAILED +count\\[n=1,seed=0\\]: SLURM job ${m[1]} was CANCELLED`, "m"),
            );
            assertEquals(ranInstances(watcher.text), ["count[n=2,seed=0]", "other", "source"]);
            assertMatch(watcher.text, /^skipped +total: upstream failed: count\[n=1,seed=0\]$/m);
            const again = await p.cli("run", ...SLURM);
            assertEquals(again.code, 0, again.stderr);
            assertEquals(ranInstances(again.stderr), ["count[n=1,seed=0]", "total"]);
          } finally {
            await p.dispose();
          }
        },
      );

      await t.step("Ctrl-C on the driver cancels its jobs and exits 130", async () => {
        const p = await project({ sleepMs: 60_000, sweep: { n: [1, 2], seed: [0] } });
        try {
          const child = p.spawn("run", ...SLURM, "count");
          const watcher = new StderrWatcher(child);
          const jobs = await Promise.all(
            [1, 2].map((n) =>
              watcher.waitFor(new RegExp(`\\[count\\[n=${n},seed=0\\]\\] SLURM job (\\d+) started`))
            ),
          );
          // While it runs, status shows each instance's job, its state and its driver.
          const shown = await p.cli("status");
          for (const [, id] of jobs) {
            assertMatch(
              shown.stdout,
              new RegExp(
                `in progress: SLURM job ${id} RUNNING on \\S+, driver pid ${child.pid} on `,
              ),
            );
          }
          child.kill("SIGINT");
          const status = await child.status;
          await watcher.done;
          assertEquals(status.code, 130, watcher.text);
          assertMatch(watcher.text, /SIGINT: cancelling 2 SLURM jobs/);
          assertMatch(
            watcher.text,
            /FAILED +count\[n=1,seed=0\]: SLURM job \d+ CANCELLED: the driver got SIGINT/,
          );
          const states = await jobStates(jobs.map((j) => j[1]));
          assertEquals(
            [...states.values()],
            ["CANCELLED", "CANCELLED"],
            "no job outlives the driver",
          );
        } finally {
          await p.dispose();
        }
      });

      await t.step(
        "a driver killed with SIGKILL and started again adopts its jobs: finished work kept, no instance run twice",
        async () => {
          // Two runs of the count stage side by side: a short one and a long one.
          const sweep = { n: [1], seed: [0], sleepMs: [2500, 8000] };
          const p = await project({ sweep } as Parameters<typeof FixtureProject.create>[0]);
          const short = "count[n=1,seed=0,sleepMs=2500]";
          const long = "count[n=1,seed=0,sleepMs=8000]";
          try {
            const child = p.spawn("run", ...SLURM);
            const watcher = new StderrWatcher(child);
            const started = (id: string) =>
              watcher.waitFor(new RegExp(`\\[${escape(id)}\\] SLURM job (\\d+) started`));
            const [shortJob, longJob] = (await Promise.all([started(short), started(long)]))
              .map((m) => m[1]);
            child.kill("SIGKILL");
            await child.status;
            await watcher.done;
            // While no driver runs, status shows the jobs and that their driver is gone.
            const status = await p.cli("status");
            assertMatch(
              status.stdout,
              new RegExp(
                `SLURM job ${longJob} RUNNING on \\S+, its driver pid ${child.pid} .* gone`,
              ),
            );
            // Let the short job finish while no driver watches, then start again.
            const end = Date.now() + 30_000;
            while ((await jobStates([shortJob])).get(shortJob) !== "COMPLETED") {
              assert(Date.now() < end, "the short job did not complete");
              await new Promise((r) => setTimeout(r, 200));
            }
            const again = await p.cli("run", ...SLURM);
            assertEquals(again.code, 0, again.stderr);
            assertMatch(again.stderr, new RegExp(`adopting SLURM job ${shortJob} \\(COMPLETED\\)`));
            assertMatch(again.stderr, new RegExp(`adopting SLURM job ${longJob} \\(RUNNING\\)`));
            assertMatch(again.stderr, new RegExp(`broke a stale lock of pid ${child.pid} on `));
            const jobs = await finishedJobs(p.root, 5);
            assertEquals(
              jobs.map((j) => j.name).sort(),
              [long, short, "other", "source", "total"].sort(),
              "each instance ran as exactly one job",
            );
            assert(jobs.every((j) => j.state === "COMPLETED"));
            assertMatch((await p.cli("status")).stdout, /5 fresh, 0 stale, 0 missing/);
          } finally {
            await p.dispose();
          }
        },
      );
    } finally {
      await cluster.stop();
    }
  },
});
