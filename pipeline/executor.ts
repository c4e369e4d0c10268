/**
 * Executors run one stage instance's job. The runner only knows the `Executor` interface, so that
 * a cluster executor (submit the same worker command to a batch system) can be added without
 * touching the rest.
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
  /** Runs the job to completion, reporting events as they come. */
  run(job: StageJob, events: StageEvents): Promise<void>;
}

const WORKER = new URL("./worker.ts", import.meta.url).href;
const STDERR_TAIL_LINES = 20;

/**
 * Runs each job in its own `deno run` subprocess. Each is told, in `PIPELINE_CORES`, its share of
 * the machine's cores at its start (at least one), for its own helper threads.
 */
export class SubprocessExecutor implements Executor {
  #running = 0;

  async run(job: StageJob, events: StageEvents): Promise<void> {
    const scratch = await Deno.makeTempDir({ prefix: "pipeline-scratch-" });
    const cores = Math.max(1, Math.floor(navigator.hardwareConcurrency / ++this.#running));
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--quiet",
          "--no-prompt",
          "--allow-read",
          "--allow-env",
          "--allow-sys",
          "--allow-ffi",
          "--allow-net",
          `--allow-write=${job.outDir},${job.workDir},${scratch}`,
          WORKER,
          JSON.stringify(job),
        ],
        cwd: job.projectRoot,
        env: { TMPDIR: scratch, [CORES_ENV]: String(cores) },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let failure: { message: string; stack?: string } | null = null;
      const stderrTail: string[] = [];
      const [status] = await Promise.all([
        child.status,
        eachLine(child.stdout, (line) => {
          if (!line.startsWith(MESSAGE_PREFIX)) return events.log(line);
          const m = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
          if (m.t === "progress") events.progress(m.done, m.total, m.note);
          else if (m.t === "log") events.log(m.line);
          else if (m.t === "record") events.record(m.fields);
          else failure = { message: m.message, stack: m.stack };
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
      const found = failure as { message: string; stack?: string } | null;
      const message = found?.message ?? (stderrTail.at(-1) || `exit code ${status.code}`);
      const hint = /NotCapable|Requires write access/.test(message)
        ? " (a stage may write only its declared outputs, inside ctx.outDir)"
        : "";
      throw new StageFailure(`${message}${hint}`, found?.stack ?? stderrTail.join("\n"));
    } finally {
      this.#running--;
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
