/**
 * The files of one instance's SLURM job, beside its work directory on the shared filesystem:
 * `<stage>/.slurm-<key>/` holds `job.json` (the job the worker runs), `job.sh` (the batch script),
 * `job-<id>.log` (the job's stdout and stderr) and `submitted.json`, the in-progress marker
 * (job id, output directory, submitting driver) that a later driver reads to adopt or cancel
 * the job of one that died. Kept after a failure, for its log; removed after success.
 *
 * @module
 */
import type { StageJob } from "../context.ts";
import { workerArgs } from "../executor.ts";
import { MESSAGE_PREFIX } from "../protocol.ts";
import { CORES_ENV } from "../../util/cores.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";

/** The in-progress marker of a submitted job. */
export interface SubmittedJob {
  /** Absent while sbatch runs; the job is then found by its comment, `pipeline:<token>`. */
  readonly jobId?: string;
  readonly token: string;
  readonly instanceId: string;
  /** The temporary output directory the job writes. */
  readonly outDir: string;
  readonly driver: { readonly pid: number; readonly hostname: string };
  /** When sbatch returned (ms since the epoch, the driver's clock). */
  readonly submittedAt: number;
}

/** Lines the batch script itself writes, for the driver: the job's start and its exit status. */
export type ScriptMessage =
  | { readonly t: "slurm-started"; readonly node: string; readonly at: number }
  | { readonly t: "slurm-exit"; readonly status: number; readonly at: number };

/** The job folder of an instance, from its work directory `<stage>/.work-<key>`. */
export function jobDirOf(workDir: string): string {
  const m = /^(.*)\/\.work-([^/]+)$/.exec(workDir);
  if (!m) throw new Error(`not a work directory: ${workDir}`);
  return `${m[1]}/.slurm-${m[2]}`;
}

/** The log of job `id` in its folder (sbatch's `--output`, with %j for the id). */
export function logPathOf(dir: string, id: string): string {
  return `${dir}/job-${id}.log`;
}

/** Quotes a word for bash. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const SCRATCH = "\0scratch\0";

/**
 * The batch script: a node-local scratch TMPDIR, the stage's share of cores in PIPELINE_CORES
 * (its allocation), the worker with the local executor's permissions, and a start and an exit
 * line for the driver (time stamps from the node's clock, in ms).
 */
export function batchScript(job: StageJob, jobFile: string, deno: string): string {
  const args = workerArgs([job.outDir, job.workDir, SCRATCH], ["--job-file", jobFile]);
  const command = [deno, ...args].map(shellQuote).join(" ")
    .replace(`,${SCRATCH}'`, `,'"$scratch"`);
  const message = (json: string) => `printf '\\${octal(MESSAGE_PREFIX)}${json}\\n'`;
  return `#!/bin/bash
# Written by the pipeline's SLURM executor: runs the stage instance
#   ${job.instanceId.replaceAll("\n", " ")}
# with the worker of a local run. Lines that start with \\x1e are messages for the driver.
scratch="$(mktemp -d "\${TMPDIR:-/tmp}/pipeline-scratch-XXXXXX")" || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 143' TERM INT
${message(`{"t":"slurm-started","node":"%s","at":%s}`)} "$(hostname -s)" "$(date +%s%3N)"
export TMPDIR="$scratch" ${CORES_ENV}="\${SLURM_CPUS_PER_TASK:-1}"
cd ${shellQuote(job.projectRoot)} || exit 1
${command}
status=$?
${message(`{"t":"slurm-exit","status":%d,"at":%s}`)} "$status" "$(date +%s%3N)"
exit "$status"
`;
}

function octal(char: string): string {
  return char.charCodeAt(0).toString(8).padStart(3, "0");
}

/** Writes the job and its script into the job folder; returns their paths. */
export async function writeJobFiles(
  dir: string,
  job: StageJob,
  deno: string,
): Promise<{ jobFile: string; script: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const jobFile = `${dir}/job.json`;
  const script = `${dir}/job.sh`;
  await writeFileAtomic(jobFile, JSON.stringify(job, null, 2) + "\n");
  await writeFileAtomic(script, batchScript(job, jobFile, deno));
  await Deno.chmod(script, 0o755);
  return { jobFile, script };
}

/** Records a submitted job (atomically: a reader sees the old marker or the new one). */
export async function writeMarker(dir: string, marker: SubmittedJob): Promise<void> {
  await writeFileAtomic(`${dir}/submitted.json`, JSON.stringify(marker, null, 2) + "\n");
}

/** The marker in a job folder, or null when there is none (or it is unreadable). */
export async function readMarker(dir: string): Promise<SubmittedJob | null> {
  try {
    const m = JSON.parse(await Deno.readTextFile(`${dir}/submitted.json`));
    return typeof m?.token === "string" && typeof m?.outDir === "string" ? m : null;
  } catch {
    return null;
  }
}

/** Reads a growing log file line by line (complete lines only; the rest waits for its end). */
export class LogTail {
  #offset = 0;
  #rest = "";
  #decoder = new TextDecoder();
  /** The last log lines: the stage's own, and what else the job printed (shown on failure). */
  readonly lastLines: string[] = [];

  constructor(readonly path: string, private readonly keep = 20) {}

  /** The complete lines written since the last call ([] while the file does not exist). */
  async read(): Promise<string[]> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    try {
      await file.seek(this.#offset, Deno.SeekMode.Start);
      const buf = new Uint8Array(64 * 1024);
      let text = "";
      while (true) {
        const n = await file.read(buf);
        if (n === null) break;
        this.#offset += n;
        text += this.#decoder.decode(buf.subarray(0, n), { stream: true });
      }
      const lines = (this.#rest + text).split("\n");
      this.#rest = lines.pop()!;
      for (const line of lines) {
        const shown = line.startsWith(MESSAGE_PREFIX) ? logMessageText(line) : line;
        if (shown === null) continue;
        this.lastLines.push(shown);
        if (this.lastLines.length > this.keep) this.lastLines.shift();
      }
      return lines;
    } finally {
      file.close();
    }
  }
}

/** The worker's exit status that a job's log records, or null when it records none (yet). */
export async function loggedExitStatus(log: string): Promise<number | null> {
  let status: number | null = null;
  for (const line of await new LogTail(log).read()) {
    const m = scriptMessage(line);
    if (m?.t === "slurm-exit") status = m.status;
  }
  return status;
}

/** The text of a worker's log message line, or null for another message. */
function logMessageText(line: string): string | null {
  try {
    const m = JSON.parse(line.slice(MESSAGE_PREFIX.length));
    return m?.t === "log" && typeof m.line === "string" ? m.line : null;
  } catch {
    return null;
  }
}

/** A line the batch script wrote, or null for any other line. */
export function scriptMessage(line: string): ScriptMessage | null {
  if (!line.startsWith(`${MESSAGE_PREFIX}{"t":"slurm-`)) return null;
  try {
    return JSON.parse(line.slice(MESSAGE_PREFIX.length)) as ScriptMessage;
  } catch {
    return null;
  }
}
