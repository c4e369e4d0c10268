/**
 * The subprocess that runs one stage instance. The runner passes the job as JSON in the first
 * argument and keeps stdin open: stdin closing means the runner died, and the worker exits at once
 * rather than finish work nobody will commit. Under a batch system the job comes in a file
 * (`--job-file PATH`) and stdin is not watched: a later runner adopts the finished work. Messages to the runner are stdout lines that start
 * with the ASCII record separator (\x1e) followed by JSON; any other stdout line is a log line.
 *
 * @module
 */
import { runJob, type StageJob } from "./context.ts";
import { MESSAGE_PREFIX, type WorkerMessage } from "./protocol.ts";

function send(message: WorkerMessage): void {
  Deno.stdout.writeSync(new TextEncoder().encode(MESSAGE_PREFIX + JSON.stringify(message) + "\n"));
}

async function exitWhenRunnerDies(): Promise<void> {
  const buf = new Uint8Array(64);
  while ((await Deno.stdin.read(buf)) !== null) { /* the runner never writes; wait for EOF */ }
  Deno.exit(70);
}

if (import.meta.main) {
  // `--job-file PATH`: a batch system runs it, and owns its lifetime; stdin is not the runner's.
  const fromFile = Deno.args[0] === "--job-file";
  if (!fromFile) exitWhenRunnerDies();
  const job = JSON.parse(fromFile ? Deno.readTextFileSync(Deno.args[1]) : Deno.args[0]) as StageJob;
  try {
    let lastProgress = 0;
    await runJob(job, {
      progress: (done, total, note) => {
        // At most ten messages a second, so that a tight loop reporting progress stays cheap.
        const now = performance.now();
        if (now - lastProgress < 100 && done < total) return;
        lastProgress = now;
        send({ t: "progress", done, total, note });
      },
      log: (line) => send({ t: "log", line }),
      record: (fields) => send({ t: "record", fields }),
    });
    Deno.exit(0);
  } catch (error) {
    const e = error as Error;
    send({ t: "error", message: e?.message ?? String(error), stack: e?.stack });
    Deno.exit(1);
  }
}
