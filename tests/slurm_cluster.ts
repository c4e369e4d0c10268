/**
 * The one-node SLURM cluster of `tools/slurm.sh` for the tests: started when it is not running
 * (installing Debian's packages if needed), and stopped afterwards only if started here. Also
 * reads SLURM's own record of finished jobs (its jobcomp log), the independent witness that an
 * instance ran as a SLURM job, under which name, how often, and how it ended.
 *
 * @module
 */
import { type CompletedJob, parseJobcompLine } from "../pipeline/slurm/mod.ts";

const SCRIPT = new URL("../tools/slurm.sh", import.meta.url).pathname;
const DIR = Deno.env.get("PIPELINE_SLURM_DIR") ?? "/tmp/pipeline-slurm";

/** A running cluster. */
export interface Cluster {
  /** What a driver's environment needs to find the cluster. */
  readonly env: Record<string, string>;
  /** Stops it if this process started it. */
  stop(): Promise<void>;
}

async function slurmSh(command: string): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command("bash", {
    args: [SCRIPT, command],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { ok: out.success, text: text.decode(out.stdout) + text.decode(out.stderr) };
}

/** Starts the cluster unless it runs; throws with the script's output when it cannot. */
export async function startCluster(): Promise<Cluster> {
  const running = (await slurmSh("status")).ok;
  if (!running) {
    const start = await slurmSh("start");
    if (!start.ok) throw new Error(`tools/slurm.sh start failed:\n${start.text}`);
  }
  return {
    env: { SLURM_CONF: `${DIR}/slurm.conf` },
    stop: async () => {
      if (running) return;
      const stop = await slurmSh("stop");
      if (!stop.ok) throw new Error(`tools/slurm.sh stop failed:\n${stop.text}`);
    },
  };
}

/**
 * The finished jobs whose working directory is `workDir` (a test's project), from SLURM's
 * jobcomp log; waits up to 5 s for `atLeast` of them (slurmctld writes a line as a job ends).
 */
export async function finishedJobs(workDir: string, atLeast = 0): Promise<CompletedJob[]> {
  const end = Date.now() + 5000;
  while (true) {
    const text = await Deno.readTextFile(`${DIR}/jobcomp.log`).catch(() => "");
    const jobs = text.split("\n").filter((l) => l.startsWith("JobId=")).map(parseJobcompLine)
      .filter((j) => j.workDir === workDir);
    if (jobs.length >= atLeast || Date.now() > end) return jobs;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The state of SLURM jobs by id, as squeue reports them (ended ones for MinJobAge). */
export async function jobStates(ids: string[]): Promise<Map<string, string>> {
  const out = await new Deno.Command("squeue", {
    args: ["-h", "-t", "all", "-j", ids.join(","), "-o", "%i|%T"],
    env: { SLURM_CONF: `${DIR}/slurm.conf` },
    stdout: "piped",
  }).output();
  return new Map(
    new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean).map((l) =>
      l.split("|") as [string, string]
    ),
  );
}

/** Cancels a job as a user would. */
export async function scancel(id: string): Promise<void> {
  const out = await new Deno.Command("scancel", {
    args: [id],
    env: { SLURM_CONF: `${DIR}/slurm.conf` },
  }).output();
  if (!out.success) throw new Error(`scancel ${id} failed`);
}
