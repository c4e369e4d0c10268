/**
 * What SLURM's commands print, read into plain records: `sbatch --parsable`, `squeue` and `sacct`
 * in the formats the client asks for, and the lines of `jobcomp/filetxt` (the completion log of a
 * cluster without an accounting database). Also which job states are final and, for each final
 * state but COMPLETED, the sentence that tells a user what happened and what to do.
 *
 * @module
 */

/** One job as squeue or sacct reports it. */
export interface JobInfo {
  readonly id: string;
  readonly name: string;
  /** SLURM's state name: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, … */
  readonly state: string;
  /** Why it is pending (or how it ended), e.g. "Resources", "NonZeroExitCode"; "" when none. */
  readonly reason: string;
  /** The node(s) it runs or ran on; "" before it starts. */
  readonly nodes: string;
  /** sacct's `exit:signal`, e.g. "1:0"; absent from squeue. */
  readonly exitCode?: string;
}

/** squeue's output format: name last, since an instance id may hold any character but newline. */
export const SQUEUE_FORMAT = "%i|%T|%r|%N|%j";
/** sacct's fields (with --parsable2: `|`-separated), name last for the same reason. */
export const SACCT_FIELDS = "JobID,State,ExitCode,Reason,NodeList,JobName";

/** States after which a job never runs again (squeue `%T` / sacct `State` names). */
const FINAL_STATES = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
]);

/** True when the state is final (a pending, running, completing or requeued job is not). */
export function isFinal(state: string): boolean {
  return FINAL_STATES.has(state);
}

/** The job id that `sbatch --parsable` prints (`ID` or `ID;CLUSTER`). */
export function parseSbatch(stdout: string): string {
  const m = /^(\d+)(?:;\S+)?\s*$/.exec(stdout.trim());
  if (!m) throw new Error(`sbatch printed no job id: "${stdout.trim()}"`);
  return m[1];
}

/** The jobs of `squeue -h -o SQUEUE_FORMAT`, by id. */
export function parseSqueue(stdout: string): Map<string, JobInfo> {
  const jobs = new Map<string, JobInfo>();
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const [id, state, reason, nodes, ...name] = line.split("|");
    if (!/^\d+$/.test(id) || name.length === 0) {
      throw new Error(`squeue printed a line that is not ${SQUEUE_FORMAT}: "${line}"`);
    }
    jobs.set(id, {
      id,
      name: name.join("|"),
      state,
      reason: reason === "None" ? "" : reason,
      nodes: nodes === "(null)" ? "" : nodes,
    });
  }
  return jobs;
}

/**
 * The jobs of `sacct -n -P -X -o SACCT_FIELDS`, by id. A cancelled job's state reads
 * "CANCELLED by UID" there: the state is its first word.
 */
export function parseSacct(stdout: string): Map<string, JobInfo> {
  const jobs = new Map<string, JobInfo>();
  for (const line of stdout.split("\n")) {
    if (!line.trim()) continue;
    const [id, state, exitCode, reason, nodes, ...name] = line.split("|");
    if (!/^\d+$/.test(id)) continue; // job steps (123.batch) when -X was not honoured
    if (name.length === 0) {
      throw new Error(`sacct printed a line that is not ${SACCT_FIELDS}: "${line}"`);
    }
    jobs.set(id, {
      id,
      name: name.join("|"),
      state: state.split(" ")[0],
      reason: reason === "None" ? "" : reason,
      nodes: nodes === "None assigned" ? "" : nodes,
      exitCode,
    });
  }
  return jobs;
}

/** One line of SLURM's `jobcomp/filetxt` log. */
export interface CompletedJob {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly workDir: string;
  readonly nodes: string;
  readonly exitCode: string;
  readonly start: string;
  readonly end: string;
}

/**
 * Reads a `jobcomp/filetxt` line (`JobId=1 UserId=… Name=… JobState=COMPLETED … WorkDir=… …`).
 * Values have no quoting, so Name and WorkDir are read up to the field that follows them.
 */
export function parseJobcompLine(line: string): CompletedJob {
  const field = (key: string, next: string): string => {
    const m = new RegExp(`(?:^| )${key}=(.*?) ${next}=`).exec(line);
    if (!m) throw new Error(`jobcomp line lacks ${key}: "${line.slice(0, 120)}"`);
    return m[1];
  };
  return {
    id: field("JobId", "UserId"),
    name: field("Name", "JobState"),
    state: field("JobState", "Partition"),
    start: field("StartTime", "EndTime"),
    end: field("EndTime", "NodeList"),
    nodes: field("NodeList", "NodeCnt"),
    workDir: field("WorkDir", "ReservationName"),
    exitCode: / ExitCode=(\S+)/.exec(line)?.[1] ?? "",
  };
}

/** What the executor knows when a job ends other than COMPLETED. */
export interface JobEnd {
  readonly id: string;
  readonly state: string;
  readonly nodes?: string;
  /** The worker's exit status, when the job's script recorded it. */
  readonly exitStatus?: number;
  readonly timeLimit?: string;
  readonly memory?: string;
}

/**
 * The reason an instance failed, naming the SLURM state and the job id, with what to do. A
 * checkpoint in the work directory survives all of these, so a rerun resumes.
 */
export function describeJobEnd(end: JobEnd): string {
  const job = `SLURM job ${end.id}`;
  const on = end.nodes ? ` on ${end.nodes}` : "";
  switch (end.state) {
    case "FAILED":
      return `${job} FAILED${on}${
        end.exitStatus !== undefined ? ` (exit status ${end.exitStatus})` : ""
      }`;
    case "CANCELLED":
      return `${job} was CANCELLED${on} (scancel by a user or an administrator); run again to ` +
        "resume";
    case "TIMEOUT":
      return `${job} TIMEOUT${on}: it ran past its time limit${
        end.timeLimit ? ` of ${end.timeLimit}` : ""
      }; raise the stage's timeLimit (profile resources, or --slurm-resources ` +
        "STAGE:time=…) and run again: it resumes from its checkpoint";
    case "OUT_OF_MEMORY":
      return `${job} OUT_OF_MEMORY${on}: it needed more than its ${end.memory ?? "memory"}; ` +
        "raise the stage's memory (profile resources, or --slurm-resources STAGE:memory=…)";
    case "NODE_FAIL":
      return `${job} NODE_FAIL: its node${on ? ` (${end.nodes})` : ""} failed; run again to ` +
        "resume on another node";
    case "PREEMPTED":
      return `${job} was PREEMPTED${on} by a job of higher priority; run again to resume`;
    case "BOOT_FAIL":
      return `${job} BOOT_FAIL: its node could not be booted; run again`;
    case "DEADLINE":
      return `${job} DEADLINE: it could not end before its deadline`;
    default:
      return `${job} ended ${end.state}${on}`;
  }
}
