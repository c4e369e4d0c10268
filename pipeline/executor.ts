/**
 * Executors run one stage instance's job. The runner only knows the `Executor` interface; the
 * SLURM executor (slurm/) submits the same worker command to the batch system.
 *
 * - `SubprocessExecutor` (the default): one Deno subprocess per instance, running worker.ts with
 *   write permission limited to the output directory, its work directory and a scratch TMPDIR, so
 *   a stage that writes
 *   elsewhere fails; a crash stays in the subprocess; N jobs use N cores.
 * - `InProcessExecutor`: runs the stage function in the runner's process, without isolation; for
 *   benchmarks of the engine's own overhead.
 *
 * @module
 */
import { runJob, type StageEvents, type StageJob } from "./context.ts";
import { MESSAGE_PREFIX, type WorkerMessage } from "./protocol.ts";
import { CORES_ENV } from "../util/cores.ts";

/** Runs stage jobs; rejects with an Error whose message says what went wrong. */
export interface Executor {
  /**
   * Runs the job to completion, reporting events as they come; may resolve to a record of where
   * it ran (kept in the artifact's manifest as `executor`).
   */
  run(job: StageJob, events: StageEvents): Promise<Record<string, unknown> | void>;
}

/** The worker module every executor runs. */
export const WORKER = new URL("./worker.ts", import.meta.url).href;
const STDERR_TAIL_LINES = 20;

/**
 * The `deno` arguments that run the worker with write access to `writable` only (a stage may
 * write its output directory, its work directory and a scratch TMPDIR, nothing else), followed by
 * `jobArgs` (the job as JSON, or `--job-file PATH`).
 */
export function workerArgs(writable: readonly string[], jobArgs: readonly string[]): string[] {
  return [
    "run",
    "--quiet",
    "--no-prompt",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    "--allow-ffi",
    "--allow-net",
    `--allow-write=${writable.join(",")}`,
    WORKER,
    ...jobArgs,
  ];
}

/** A stage's error as its worker reported it. */
export interface WorkerFailure {
  readonly message: string;
  readonly stack?: string;
}

/**
 * Hands one stdout line of a worker to `events` (a message, or a log line); returns the stage's
 * error when the line reports one, else null.
 */
export function dispatchWorkerLine(line: string, events: StageEvents): WorkerFailure | null {
  if (!line.startsWith(MESSAGE_PREFIX)) {
    events.log(line);
    return null;
  }
  const m = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
  if (m.t === "progress") events.progress(m.done, m.total, m.note);
  else if (m.t === "log") events.log(m.line);
  else if (m.t === "record") events.record(m.fields);
  else return { message: m.message, stack: m.stack };
  return null;
}

/**
 * Runs each job in its own `deno run` subprocess. Each is told, in `PIPELINE_CORES`, its share of
 * the machine's cores at its start, for its own threads: the cores over the jobs running, but no
 * more than the running jobs have left free, and at least one. So the jobs' threads exceed the
 * cores only by the one each job needs when a job that started alone still holds them all.
 */
export class SubprocessExecutor implements Executor {
  #running = 0;
  #held = 0;

  async run(job: StageJob, events: StageEvents): Promise<void> {
    const scratch = await Deno.makeTempDir({ prefix: "pipeline-scratch-" });
    const all = navigator.hardwareConcurrency;
    const cores = Math.max(1, Math.min(Math.floor(all / ++this.#running), all - this.#held));
    this.#held += cores;
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: workerArgs([job.outDir, job.workDir, scratch], [JSON.stringify(job)]),
        cwd: job.projectRoot,
        env: { TMPDIR: scratch, [CORES_ENV]: String(cores) },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let failure: WorkerFailure | null = null;
      const stderrTail: string[] = [];
      const [status] = await Promise.all([
        child.status,
        eachLine(child.stdout, (line) => {
          failure = dispatchWorkerLine(line, events) ?? failure;
        }),
        eachLine(child.stderr, (line) => {
          events.log(line);
          stderrTail.push(line);
          if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        }),
      ]);
      await child.stdin.close().catch(() => {});
      if (status.success) return;
      if (status.signal) throw new Error(`killed by signal ${status.signal}`);
      const found = failure as WorkerFailure | null;
      const message = found?.message ?? (stderrTail.at(-1) || `exit code ${status.code}`);
      const hint = /NotCapable|Requires write access/.test(message)
        ? " (a stage may write only its declared outputs, inside ctx.outDir)"
        : "";
      throw new StageFailure(`${message}${hint}`, found?.stack ?? stderrTail.join("\n"));
    } finally {
      this.#running--;
      this.#held -= cores;
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }
}

/** A stage's failure: the message for one line, and the detail (stack, stderr) for its log. */
export class StageFailure extends Error {
  constructor(message: string, readonly detail: string) {
    super(message);
    this.name = "StageFailure";
  }
}

/** Runs each job in the runner's own process (no isolation: for measuring engine overhead). */
export class InProcessExecutor implements Executor {
  run(job: StageJob, events: StageEvents): Promise<void> {
    return runJob(job, events);
  }
}

async function eachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    lines.forEach(onLine);
  }
  if (rest) onLine(rest);
}
