/**
 * `--executor slurm`: each stage instance whose inputs are ready becomes one SLURM job, named
 * after the instance id, with the instance's resources. The job runs the local executor's worker
 * (same module, same permissions) on the shared filesystem, writing the runner's temporary output
 * directory; the runner then checks, hashes and commits the outputs as for a local run, so the
 * artifacts are the same. The runner's lease on the instance (lock.ts) keeps two drivers, on any
 * hosts, from producing it at once.
 *
 * A driver that dies (even by kill -9) leaves its jobs running and their in-progress markers
 * (job_files.ts). The next driver to take an instance's lease finds the marker and adopts the job:
 * it follows a queued or running one to its end, and takes over the outputs of one that finished
 * meanwhile, so finished work is not lost and no instance runs twice at once. A job that cannot
 * be adopted (its output directory is gone) is cancelled, and waited for, before a new one is
 * submitted. At the end of a run, jobs of dead drivers that no one adopted are cancelled
 * (`cancelOrphans`). Ctrl-C or SIGTERM cancels the driver's own jobs (`handleSignals`).
 *
 * @module
 */
import type { StageEvents, StageJob } from "../context.ts";
import type { Executor } from "../executor.ts";
import { acquireLock } from "../lock.ts";
import type { StageResources } from "../resources.ts";
import { CommandSlurmClient, type SlurmClient } from "./client.ts";
import {
  jobDirOf,
  loggedExitStatus,
  logPathOf,
  readMarker,
  type SubmittedJob,
  writeJobFiles,
  writeMarker,
} from "./job_files.ts";
import { isFinal } from "./parse.ts";
import { type JobSuccess, JobWatcher } from "./watch.ts";

/** How the driver submits and follows jobs. */
export interface SlurmExecutorOptions {
  /** The resources of an instance, by id. */
  readonly resourcesOf: (instanceId: string) => StageResources;
  readonly partition?: string;
  readonly account?: string;
  /** Extra sbatch arguments, added last (they win over the executor's own). */
  readonly sbatchArgs?: readonly string[];
  readonly client?: SlurmClient;
  /** How often job logs are read, in ms (default 1000, or PIPELINE_SLURM_TAIL_MS). */
  readonly tailMs?: number;
  /** How often squeue is asked, in ms (default 5000, or PIPELINE_SLURM_SQUEUE_MS). */
  readonly squeueMs?: number;
  /**
   * How long squeue may fail in a row before the jobs are given up, in ms (default 600000, or
   * PIPELINE_SLURM_UNREACHABLE_MS).
   */
  readonly unreachableMs?: number;
  /** The Deno the nodes run (default: this one, which must be on the shared filesystem). */
  readonly deno?: string;
  /** Says something to the user (cancelled orphans, interrupts). */
  readonly notice?: (message: string) => void;
}

/** Submits stage jobs to SLURM and follows them. */
export class SlurmExecutor implements Executor {
  readonly #client: SlurmClient;
  readonly #watcher: JobWatcher;
  #interrupted: string | null = null;

  constructor(private readonly options: SlurmExecutorOptions) {
    this.#client = options.client ?? new CommandSlurmClient();
    this.#watcher = new JobWatcher(
      this.#client,
      options.tailMs ?? envMs("PIPELINE_SLURM_TAIL_MS", 1000),
      options.squeueMs ?? envMs("PIPELINE_SLURM_SQUEUE_MS", 5000),
      options.unreachableMs ?? envMs("PIPELINE_SLURM_UNREACHABLE_MS", 600_000),
    );
  }

  /**
   * Checks, before any work, that the cluster answers, so that a shell not set up for it fails
   * with one line instead of every instance failing at its submission.
   */
  async checkReachable(): Promise<void> {
    try {
      await this.#client.ping();
    } catch (error) {
      throw new Error(
        `--executor slurm: the SLURM controller does not answer (${(error as Error).message}); ` +
          "is this shell set up for the cluster (/etc/slurm/slurm.conf or SLURM_CONF; for " +
          "tools/slurm.sh's one-node cluster: eval $(tools/slurm.sh env))?",
      );
    }
  }

  /** The signal that interrupted the run, if any. */
  get interruptedBy(): string | null {
    return this.#interrupted;
  }

  async run(job: StageJob, events: StageEvents): Promise<Record<string, unknown>> {
    if (this.#interrupted) throw new Error(`not submitted: the driver got ${this.#interrupted}`);
    const dir = jobDirOf(job.workDir);
    const adopted = await this.#adopt(job, dir, events);
    if (adopted) return adopted;
    if (this.#interrupted) throw new Error(`not submitted: the driver got ${this.#interrupted}`);
    const resources = this.options.resourcesOf(job.instanceId);
    const marker = await this.#submit(job, dir, resources, events);
    if (this.#interrupted) {
      await this.cancelAndWait([marker.jobId]); // submitted while the signal came
      throw new Error(`SLURM job ${marker.jobId} cancelled: the driver got ${this.#interrupted}`);
    }
    const success = await this.#follow(dir, marker, events, resources);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return record(marker, success, resources);
  }

  /**
   * Adopts the job of an earlier driver for this instance, if its marker names one that is
   * queued, running or completed: resolves to its record once its outputs are in job.outDir.
   * Otherwise cancels it if it still runs, and resolves to null.
   */
  async #adopt(
    job: StageJob,
    dir: string,
    events: StageEvents,
  ): Promise<Record<string, unknown> | null> {
    const marker = await this.#earlierJob(dir, job.instanceId);
    if (!marker) return null;
    const info = (await this.#client.query([marker.jobId])).get(marker.jobId) ??
      (await this.#client.history([marker.jobId]))?.get(marker.jobId);
    if (info && info.name !== job.instanceId) return null; // the id was reused by another job
    const by = `pid ${marker.driver.pid} on ${marker.driver.hostname}`;
    const finished = info
      ? info.state === "COMPLETED"
      : await loggedExitStatus(logPathOf(dir, marker.jobId)) === 0;
    const usable = await exists(marker.outDir) &&
      (finished || (info !== undefined && !isFinal(info.state)));
    if (!usable) {
      if (info && !isFinal(info.state)) {
        events.log(
          `cancelling SLURM job ${marker.jobId} of the driver ${by}: its outputs are gone`,
        );
        await this.cancelAndWait([marker.jobId]);
      }
      await Deno.remove(marker.outDir, { recursive: true }).catch(() => {});
      return null;
    }
    events.log(
      `adopting SLURM job ${marker.jobId} (${info?.state ?? "ended"}) submitted by the driver ` +
        `${by}, which is gone`,
    );
    const resources = this.options.resourcesOf(job.instanceId);
    let success: JobSuccess;
    try {
      success = await this.#follow(dir, marker, events, resources);
    } catch (error) {
      await Deno.remove(marker.outDir, { recursive: true }).catch(() => {});
      throw error;
    }
    await Deno.remove(job.outDir, { recursive: true });
    await Deno.rename(marker.outDir, job.outDir);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    return { ...record(marker, success, resources), adopted: true };
  }

  /** The marker of a job submitted for this instance by another driver, with its job id. */
  async #earlierJob(dir: string, instanceId: string): Promise<Required<SubmittedJob> | null> {
    const marker = await readMarker(dir);
    if (!marker || marker.instanceId !== instanceId) return null;
    if (marker.jobId) return marker as Required<SubmittedJob>;
    // The driver died while sbatch ran: find the job by the token in its comment.
    const ids = await this.#client.findByComment(instanceId, commentOf(marker.token));
    return ids.length ? { ...marker, jobId: ids[0] } as Required<SubmittedJob> : null;
  }

  async #submit(
    job: StageJob,
    dir: string,
    r: StageResources,
    events: StageEvents,
  ): Promise<Required<SubmittedJob>> {
    await clearFolder(dir);
    const { script } = await writeJobFiles(dir, job, this.options.deno ?? Deno.execPath());
    const token = crypto.randomUUID();
    const before: SubmittedJob = {
      instanceId: job.instanceId,
      token,
      outDir: job.outDir,
      driver: { pid: Deno.pid, hostname: Deno.hostname() },
      submittedAt: Date.now(),
    };
    await writeMarker(dir, before); // before sbatch: a driver killed during it can still find it
    const jobId = await this.#client.submit([
      `--job-name=${job.instanceId}`,
      `--comment=${commentOf(token)}`,
      `--output=${logPathOf(dir, "%j")}`,
      `--chdir=${job.projectRoot}`,
      "--nodes=1",
      "--ntasks=1",
      `--cpus-per-task=${r.cores}`,
      `--mem=${r.memory}`,
      `--time=${r.timeLimit}`,
      ...(r.gpus > 0 ? [`--gres=gpu:${r.gpus}`] : []),
      ...(this.options.partition ? [`--partition=${this.options.partition}`] : []),
      ...(this.options.account ? [`--account=${this.options.account}`] : []),
      ...(this.options.sbatchArgs ?? []),
    ], script);
    const marker = { ...before, jobId, submittedAt: Date.now() };
    await writeMarker(dir, marker);
    events.log(
      `submitted as SLURM job ${jobId} (${r.cores} core${r.cores > 1 ? "s" : ""}, ${r.memory}, ` +
        `time ${r.timeLimit}${r.gpus ? `, ${r.gpus} GPU` : ""})`,
    );
    return marker;
  }

  #follow(
    dir: string,
    marker: Required<SubmittedJob>,
    events: StageEvents,
    r: StageResources,
  ): Promise<JobSuccess> {
    return this.#watcher.watch({
      id: marker.jobId,
      log: logPathOf(dir, marker.jobId),
      events,
      timeLimit: r.timeLimit,
      memory: r.memory,
    });
  }

  /** Cancels jobs and waits (up to 2 minutes) until SLURM reports them ended. */
  async cancelAndWait(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#client.cancel(ids);
    const end = performance.now() + 120_000;
    while (performance.now() < end) {
      const known = await this.#client.query(ids);
      if (ids.every((id) => !known.has(id) || isFinal(known.get(id)!.state))) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`SLURM jobs ${ids.join(", ")} did not end within 2 minutes of scancel`);
  }

  /**
   * Cancels the driver's jobs (Ctrl-C, SIGTERM): jobs not yet submitted are not, and those
   * followed end as CANCELLED with this reason. Resolves once SLURM reports them ended.
   */
  async interrupt(signal: string): Promise<void> {
    if (this.#interrupted) return;
    this.#interrupted = signal;
    this.#watcher.cancelledBy(`the driver got ${signal} and cancelled it`);
    const ids = this.#watcher.ids;
    this.options.notice?.(
      `${signal}: cancelling ${ids.length} SLURM job${ids.length === 1 ? "" : "s"}` +
        (ids.length ? ` (${ids.join(", ")})` : ""),
    );
    await this.cancelAndWait(ids).catch((e) => this.options.notice?.(e.message));
  }

  /**
   * Cancels on SIGINT and SIGTERM (a second signal exits at once); returns what undoes it.
   */
  handleSignals(): () => void {
    const signals = ["SIGINT", "SIGTERM"] as const;
    const handlers = signals.map((signal) => () => {
      if (this.#interrupted) Deno.exit(signal === "SIGINT" ? 130 : 143);
      this.interrupt(signal);
    });
    signals.forEach((s, i) => Deno.addSignalListener(s, handlers[i]));
    return () => signals.forEach((s, i) => Deno.removeSignalListener(s, handlers[i]));
  }

  /**
   * Cancels the jobs that drivers now gone left queued or running under `artifactsRoot` and that
   * no one adopted (their instance's lease is free); returns their ids.
   */
  async cancelOrphans(artifactsRoot: string): Promise<string[]> {
    const cancelled: string[] = [];
    for (const { stageDir, key } of await jobFolders(artifactsRoot)) {
      const lock = await acquireLock(`${stageDir}/.lock-${key}`, { noWait: true });
      if (!lock) continue; // a live driver is producing it
      try {
        const dir = `${stageDir}/.slurm-${key}`;
        const marker = await readMarker(dir);
        if (!marker?.jobId) continue;
        const info = (await this.#client.query([marker.jobId])).get(marker.jobId);
        if (!info || isFinal(info.state) || info.name !== marker.instanceId) continue;
        await this.cancelAndWait([marker.jobId]);
        await Deno.remove(marker.outDir, { recursive: true }).catch(() => {});
        cancelled.push(marker.jobId);
        this.options.notice?.(
          `cancelled SLURM job ${marker.jobId} (${marker.instanceId}), left ${info.state} by the ` +
            `driver pid ${marker.driver.pid} on ${marker.driver.hostname}, which is gone: ` +
            "no instance of this run needed it",
        );
      } finally {
        await lock.release();
      }
    }
    return cancelled;
  }
}

function record(
  marker: Required<SubmittedJob>,
  success: JobSuccess,
  resources: StageResources,
): Record<string, unknown> {
  const iso = (ms?: number) => ms === undefined ? null : new Date(ms).toISOString();
  return {
    kind: "slurm",
    jobId: marker.jobId,
    node: success.node,
    resources,
    submittedAt: iso(marker.submittedAt),
    startedAt: iso(success.startedAt),
    endedAt: iso(success.endedAt),
  };
}

function commentOf(token: string): string {
  return `pipeline:${token}`;
}

function envMs(name: string, fallback: number): number {
  const v = Deno.env.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 10) {
    throw new Error(`${name} must be a number of ms ≥ 10, got "${v}"`);
  }
  return n;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Empties a job folder of an earlier attempt (its logs, script and marker), or creates it. */
async function clearFolder(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
}

/** Every job folder under an artifacts root: its stage folder and key. */
async function jobFolders(root: string): Promise<{ stageDir: string; key: string }[]> {
  const found: { stageDir: string; key: string }[] = [];
  for await (const stage of readDirOrEmpty(root)) {
    if (!stage.isDirectory || stage.name.startsWith(".")) continue;
    for await (const e of readDirOrEmpty(`${root}/${stage.name}`)) {
      const m = /^\.slurm-([0-9a-f]+)$/.exec(e.name);
      if (m && e.isDirectory) found.push({ stageDir: `${root}/${stage.name}`, key: m[1] });
    }
  }
  return found;
}

async function* readDirOrEmpty(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
