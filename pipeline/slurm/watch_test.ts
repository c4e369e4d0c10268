/**
 * The watcher's decisions with a scripted squeue (the real cluster's cases are in
 * tests/pipeline_slurm_test.ts; these are the ends a one-node cluster cannot make quickly: a time
 * limit, a job squeue forgot, a worker whose exit the log shows before squeue does).
 */
import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import type { StageEvents } from "../context.ts";
import { StageFailure } from "../executor.ts";
import type { SlurmClient } from "./client.ts";
import type { JobInfo } from "./parse.ts";
import { JobWatcher } from "./watch.ts";

/** squeue answers from a table the test changes; sacct is not there (no accounting). */
class ScriptedSlurm implements SlurmClient {
  states = new Map<string, JobInfo>();
  queries = 0;
  /** When set, every query fails with this message (a controller that does not answer). */
  down: string | null = null;
  submit(): Promise<string> {
    throw new Error("not used");
  }
  query(ids: readonly string[]): Promise<Map<string, JobInfo>> {
    this.queries++;
    if (this.down) return Promise.reject(new Error(this.down));
    return Promise.resolve(
      new Map(ids.flatMap((id) => this.states.has(id) ? [[id, this.states.get(id)!]] : [])),
    );
  }
  history(): Promise<null> {
    return Promise.resolve(null);
  }
  cancel(): Promise<void> {
    return Promise.resolve();
  }
  findByComment(): Promise<string[]> {
    return Promise.resolve([]);
  }
  ping(): Promise<void> {
    return this.down ? Promise.reject(new Error(this.down)) : Promise.resolve();
  }
}

function recorder() {
  const seen = { logs: [] as string[], notes: [] as string[], records: [] as unknown[] };
  const events: StageEvents = {
    progress: (_d, _t, note) => note && seen.notes.push(note),
    log: (line) => seen.logs.push(line),
    record: (fields) => seen.records.push(fields),
  };
  return { seen, events };
}

const job = (state: string, nodes = "n1", reason = ""): JobInfo => ({
  id: "7",
  name: "train[x=1]",
  state,
  reason,
  nodes,
});

Deno.test("a job SLURM ends with TIMEOUT fails naming the state, the job id and the limit, with the log's last lines", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/job-7.log`;
  const slurm = new ScriptedSlurm();
  slurm.states.set("7", job("PENDING", "", "Resources"));
  const watcher = new JobWatcher(slurm, 20, 20);
  const { seen, events } = recorder();
  const ended = watcher.watch({ id: "7", log, events, timeLimit: "0:10:00", memory: "2G" });
  await new Promise((r) => setTimeout(r, 150)); // the first look is 100 ms after the submission
  await Deno.writeTextFile(
    log,
    '\x1e{"t":"slurm-started","node":"n1","at":1000}\nstep 1\n\x1e{"t":"log","line":"step 2"}\n',
  );
  slurm.states.set("7", job("RUNNING"));
  await new Promise((r) => setTimeout(r, 150));
  slurm.states.set("7", job("TIMEOUT", "n1", "TimeLimit"));
  const error = await assertRejects(() => ended, StageFailure);
  assertEquals(
    error.message,
    "SLURM job 7 TIMEOUT on n1: it ran past its time limit of 0:10:00; raise the stage's " +
      "timeLimit (profile resources, or --slurm-resources STAGE:time=…) and run again: it " +
      "resumes from its checkpoint",
  );
  assertEquals(error.detail, `job log: ${log}\nits last lines:\n  step 1\n  step 2`);
  assertEquals(seen.notes[0], "SLURM job 7 pending (Resources)");
  assert(seen.logs.includes("SLURM job 7 started on n1"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a worker that exited 0 ends its job at once, before squeue says so; its records arrive", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/job-7.log`;
  await Deno.writeTextFile(
    log,
    '\x1e{"t":"slurm-started","node":"n1","at":1000}\n' +
      '\x1e{"t":"record","fields":{"seed":3}}\n' +
      '\x1e{"t":"slurm-exit","status":0,"at":1250}\n',
  );
  const slurm = new ScriptedSlurm();
  slurm.states.set("7", job("COMPLETING"));
  const { seen, events } = recorder();
  const done = await new JobWatcher(slurm, 20, 60_000).watch({ id: "7", log, events });
  assertEquals(done, { node: "n1", startedAt: 1000, endedAt: 1250 });
  assertEquals(seen.records, [{ seed: 3 }]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a job squeue no longer knows: done if its log has exit status 0, else an error that says so", async () => {
  const dir = await Deno.makeTempDir();
  const slurm = new ScriptedSlurm(); // knows no job: ended long ago, and no sacct
  const lost = `${dir}/job-8.log`;
  await Deno.writeTextFile(lost, '\x1e{"t":"slurm-started","node":"n2","at":5}\n');
  const watcher = new JobWatcher(slurm, 10, 10);
  const error = await assertRejects(
    () => watcher.watch({ id: "8", log: lost, events: recorder().events }),
    StageFailure,
  );
  assertMatch(
    error.message,
    /^SLURM job 8 is no longer known to squeue and its log has no exit status$/,
  );
  assert(slurm.queries >= 2, "asked squeue twice before giving up");
  const finished = `${dir}/job-10.log`;
  await Deno.writeTextFile(
    finished,
    '\x1e{"t":"slurm-started","node":"n2","at":5}\n\x1e{"t":"slurm-exit","status":0,"at":7}\n',
  );
  const done = await watcher.watch({ id: "10", log: finished, events: recorder().events });
  assertEquals(done, { node: "n2", startedAt: 5, endedAt: 7 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a worker's error and non-zero exit: FAILED with the exit status and the stage's message", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/job-9.log`;
  await Deno.writeTextFile(
    log,
    '\x1e{"t":"slurm-started","node":"n3","at":5}\n' +
      '\x1e{"t":"error","message":"loss is NaN at step 12","stack":"Error: loss is NaN\\n    at run"}\n' +
      '\x1e{"t":"slurm-exit","status":1,"at":9}\n',
  );
  const slurm = new ScriptedSlurm();
  slurm.states.set("9", { ...job("FAILED", "n3", "NonZeroExitCode"), id: "9" });
  const error = await assertRejects(
    () => new JobWatcher(slurm, 10, 10).watch({ id: "9", log, events: recorder().events }),
    StageFailure,
  );
  assertEquals(error.message, "SLURM job 9 FAILED on n3 (exit status 1): loss is NaN at step 12");
  assertEquals(error.detail, `Error: loss is NaN\n    at run\njob log: ${log}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a controller that stops answering: followed while it may restart, given up after the limit", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/job-11.log`;
  await Deno.writeTextFile(log, '\x1e{"t":"slurm-started","node":"n1","at":5}\n');
  const slurm = new ScriptedSlurm();
  slurm.down = "squeue: error: Unable to contact slurm controller (connect failure)";
  const { seen, events } = recorder();
  const started = performance.now();
  const error = await assertRejects(
    () => new JobWatcher(slurm, 10, 10, 300).watch({ id: "11", log, events }),
    StageFailure,
  );
  assert(performance.now() - started >= 300, "given up only after the limit");
  assert(slurm.queries >= 3, `asked squeue ${slurm.queries} times`);
  assert(seen.notes.some((n) => n.includes("Unable to contact slurm controller")), "said so");
  assertMatch(
    error.message,
    /^SLURM job 11: squeue has failed for \d+ s \(squeue: error: Unable to contact slurm controller \(connect failure\)\); the job may still run, and the next run adopts it once the controller answers$/,
  );
  await Deno.remove(dir, { recursive: true });
});
