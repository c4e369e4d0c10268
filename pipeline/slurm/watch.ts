/**
 * Follows submitted jobs to their end, with one loop for all of them. It reads each job's log
 * (every 100 ms while the job is young, then less often, down to every `tailMs`): the worker's
 * messages become the runner's events, and the batch script's start and exit lines say when it
 * started and how the worker ended. It asks squeue about all of them in one call every
 * `squeueMs`, or at once when a log says a worker ended. A job whose worker exited 0 is done; one
 * that SLURM reports in a final state other than COMPLETED (or whose worker failed) ends with a
 * reason naming the state and the job id, and the log's last lines. Jobs squeue no longer knows
 * (ended more than MinJobAge ago) are looked up with sacct.
 *
 * Why both: the log is a cheap file read and ends a short job within ~100 ms of its worker's
 * exit; squeue is authoritative for what the log cannot say (cancelled, timed out, node failure,
 * still pending and why), and is asked at most once per `squeueMs` however many jobs run.
 *
 * @module
 */
import type { StageEvents } from "../context.ts";
import { dispatchWorkerLine, StageFailure, type WorkerFailure } from "../executor.ts";
import type { SlurmClient } from "./client.ts";
import { LogTail, scriptMessage } from "./job_files.ts";
import { describeJobEnd, isFinal, type JobInfo } from "./parse.ts";

/** A job to follow. */
export interface WatchRequest {
  readonly id: string;
  readonly log: string;
  readonly events: StageEvents;
  /** Resources, for the reasons of TIMEOUT and OUT_OF_MEMORY. */
  readonly timeLimit?: string;
  readonly memory?: string;
}

/** How a job ended well. */
export interface JobSuccess {
  readonly node: string;
  /** The node's clock at the batch script's start and end (ms since the epoch), when logged. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

interface Watched extends WatchRequest {
  readonly tail: LogTail;
  readonly since: number;
  nextRead: number;
  info?: JobInfo;
  unknown: number;
  node: string;
  startedAt?: number;
  exit?: { status: number; at: number };
  failure: WorkerFailure | null;
  pendingNote: string;
  resolve(success: JobSuccess): void;
  reject(error: Error): void;
}

/** The shortest interval between two reads of a job's log. */
const MIN_TAIL_MS = 100;

/** Follows jobs until each ends. */
export class JobWatcher {
  #jobs = new Map<string, Watched>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastQuery = 0;
  #cancelledBy: string | null = null;
  /** When squeue started failing without a success since (null while it answers). */
  #failingSince: number | null = null;

  /**
   * `unreachableMs`: how long squeue may fail in a row before the jobs followed are given up
   * (default 10 minutes: a controller restart takes seconds; an unreachable one would otherwise
   * keep the driver waiting forever). Their jobs may still run: the next driver adopts them.
   */
  constructor(
    private readonly client: SlurmClient,
    private readonly tailMs: number,
    private readonly squeueMs: number,
    private readonly unreachableMs = 600_000,
  ) {}

  /** The ids of the jobs being followed. */
  get ids(): string[] {
    return [...this.#jobs.keys()];
  }

  /** Follows a job; resolves when it completed, rejects with the reason it did not. */
  watch(request: WatchRequest): Promise<JobSuccess> {
    return new Promise((resolve, reject) => {
      this.#jobs.set(request.id, {
        ...request,
        tail: new LogTail(request.log),
        since: performance.now(),
        nextRead: 0,
        unknown: 0,
        node: "",
        failure: null,
        pendingNote: "",
        resolve,
        reject,
      });
      this.#lastQuery = 0; // a new job: ask squeue on the next tick
      this.#schedule();
    });
  }

  /** Says why the following jobs end CANCELLED (the driver cancelled them), and asks squeue often. */
  cancelledBy(reason: string): void {
    this.#cancelledBy = reason;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#jobs.size === 0) return;
    const now = performance.now();
    const next = Math.min(...[...this.#jobs.values()].map((w) => w.nextRead));
    this.#timer = setTimeout(async () => {
      try {
        await this.#tick();
      } finally {
        this.#timer = undefined;
        this.#schedule();
      }
    }, Math.max(MIN_TAIL_MS, next - now));
  }

  async #tick(): Promise<void> {
    const now = performance.now();
    const jobs = [...this.#jobs.values()];
    let ended = false;
    for (const w of jobs) {
      if (w.nextRead > now) continue;
      // Read young jobs often (a short job ends within ~MIN_TAIL_MS of its exit), older ones
      // every tailMs: a quarter of the job's age, between the two.
      w.nextRead = now + Math.min(this.tailMs, Math.max(MIN_TAIL_MS, (now - w.since) / 4));
      await this.#readLog(w).catch((e) => w.events.log(`cannot read ${w.log}: ${e.message}`));
      ended ||= w.exit !== undefined;
    }
    for (const w of jobs) if (w.exit?.status === 0) this.#succeed(w);
    const every = this.#cancelledBy ? Math.min(500, this.squeueMs) : this.squeueMs;
    if (!ended && performance.now() - this.#lastQuery < every) return;
    this.#lastQuery = performance.now();
    await this.#query([...this.#jobs.values()]);
  }

  async #readLog(w: Watched): Promise<void> {
    for (const line of await w.tail.read()) {
      const script = scriptMessage(line);
      if (script?.t === "slurm-started") {
        w.node = script.node;
        w.startedAt = script.at;
        w.events.log(`SLURM job ${w.id} started on ${script.node}`);
        w.events.progress(0, 0, `SLURM job ${w.id} on ${script.node}`);
      } else if (script?.t === "slurm-exit") w.exit = { status: script.status, at: script.at };
      else if (!script) {
        try {
          w.failure = dispatchWorkerLine(line, w.events) ?? w.failure;
        } catch {
          w.events.log(line); // a line that looked like a message but was not
        }
      }
    }
  }

  async #query(jobs: Watched[]): Promise<void> {
    if (jobs.length === 0) return;
    let known: Map<string, JobInfo>;
    try {
      known = await this.client.query(jobs.map((w) => w.id));
    } catch (error) {
      this.#unanswered(jobs, (error as Error).message);
      return;
    }
    this.#failingSince = null;
    const lost = jobs.filter((w) => !known.has(w.id) && ++w.unknown >= 2);
    const history = lost.length
      ? await this.client.history(lost.map((w) => w.id)).catch(() => null)
      : null;
    for (const w of jobs) {
      const info = known.get(w.id) ?? history?.get(w.id);
      if (info) {
        w.info = info;
        w.node ||= info.nodes;
        this.#noteState(w, info);
        if (isFinal(info.state)) await this.#end(w, info.state);
      } else if (w.unknown >= 2) {
        await this.#readLog(w).catch(() => {});
        if (w.exit) await this.#end(w, w.exit.status === 0 ? "COMPLETED" : "FAILED");
        else {
          this.#fail(
            w,
            `SLURM job ${w.id} is no longer known to squeue${history ? " or sacct" : ""} and ` +
              "its log has no exit status",
          );
        }
      }
    }
  }

  /**
   * squeue failed: the controller may be restarting, so keep following and say so, until it has
   * failed for `unreachableMs` in a row; then every job followed fails with the last error.
   */
  #unanswered(jobs: Watched[], message: string): void {
    const now = performance.now();
    this.#failingSince ??= now;
    const failingMs = now - this.#failingSince;
    if (failingMs < this.unreachableMs) {
      for (const w of jobs) w.events.progress(0, 0, `squeue: ${message}`);
      return;
    }
    for (const w of jobs) {
      this.#fail(
        w,
        `SLURM job ${w.id}: squeue has failed for ${
          Math.round(failingMs / 1000)
        } s (${message}); ` +
          "the job may still run, and the next run adopts it once the controller answers",
      );
    }
  }

  #noteState(w: Watched, info: JobInfo): void {
    const note = info.state === "PENDING"
      ? `SLURM job ${w.id} pending${info.reason ? ` (${info.reason})` : ""}`
      : "";
    if (note && note !== w.pendingNote) w.events.progress(0, 0, note);
    w.pendingNote = note;
  }

  async #end(w: Watched, state: string): Promise<void> {
    await this.#readLog(w).catch(() => {}); // what the job wrote last
    if (state === "COMPLETED" || w.exit?.status === 0) return this.#succeed(w);
    const reason = state === "CANCELLED" && this.#cancelledBy
      ? `SLURM job ${w.id} CANCELLED: ${this.#cancelledBy}`
      : describeJobEnd({
        id: w.id,
        state,
        nodes: w.node,
        exitStatus: w.exit?.status,
        timeLimit: w.timeLimit,
        memory: w.memory,
      });
    this.#fail(w, w.failure ? `${reason}: ${w.failure.message}` : reason);
  }

  #succeed(w: Watched): void {
    if (!this.#jobs.delete(w.id)) return;
    w.resolve({ node: w.node, startedAt: w.startedAt, endedAt: w.exit?.at });
  }

  /**
   * Ends a job with a one-line reason; the detail (the rest of the stage's error, its stack, the
   * job log's last lines) goes to the stage's log, and to the terminal with --verbose.
   */
  #fail(w: Watched, message: string): void {
    if (!this.#jobs.delete(w.id)) return;
    const [first, ...more] = message.split("\n");
    const detail = [
      ...more,
      ...(w.failure?.stack ? [w.failure.stack] : []),
      `job log: ${w.log}`,
      ...(w.tail.lastLines.length
        ? ["its last lines:", ...w.tail.lastLines.map((l) => `  ${l}`)]
        : []),
    ].join("\n");
    w.reject(new StageFailure(first, detail));
  }
}
