/**
 * The SLURM commands the executor runs: `sbatch` to submit, `squeue` for the state of live and
 * recently ended jobs (for `MinJobAge` seconds after their end), `sacct` for older ones where the
 * cluster keeps accounting, `scancel`. They find the cluster as SLURM's commands always do
 * (`/etc/slurm/slurm.conf`, or `SLURM_CONF`).
 *
 * @module
 */
import {
  type JobInfo,
  parseSacct,
  parseSbatch,
  parseSqueue,
  SACCT_FIELDS,
  SQUEUE_FORMAT,
} from "./parse.ts";

/** What the executor asks of SLURM (an interface, so that its logic can be tested alone). */
export interface SlurmClient {
  /** Submits a batch script with sbatch options; resolves to the job id. */
  submit(options: readonly string[], script: string): Promise<string>;
  /** The jobs squeue knows among `ids` (live ones, and ended ones for MinJobAge). */
  query(ids: readonly string[]): Promise<Map<string, JobInfo>>;
  /** The jobs sacct knows among `ids`; null when the cluster keeps no accounting. */
  history(ids: readonly string[]): Promise<Map<string, JobInfo> | null>;
  /** Cancels jobs (scancel). */
  cancel(ids: readonly string[]): Promise<void>;
  /** The ids of the jobs named `name` whose comment is `comment` (squeue). */
  findByComment(name: string, comment: string): Promise<string[]>;
  /** Resolves when the controller answers (squeue); else rejects with SLURM's own words. */
  ping(): Promise<void>;
}

/** Runs SLURM's own commands. */
export class CommandSlurmClient implements SlurmClient {
  async submit(options: readonly string[], script: string): Promise<string> {
    const out = await slurmCommand("sbatch", ["--parsable", ...options, script]);
    if (!out.ok) throw new Error(`sbatch failed: ${out.stderr || out.stdout}`);
    return parseSbatch(out.stdout);
  }

  async query(ids: readonly string[]): Promise<Map<string, JobInfo>> {
    if (ids.length === 0) return new Map();
    const out = await slurmCommand("squeue", [
      "-h",
      "-t",
      "all",
      "-j",
      ids.join(","),
      "-o",
      SQUEUE_FORMAT,
    ]);
    // One unknown id alone is an error; several are answered with the known ones only.
    if (!out.ok && /Invalid job id/i.test(out.stderr)) return new Map();
    if (!out.ok) throw new Error(`squeue failed: ${out.stderr || out.stdout}`);
    return parseSqueue(out.stdout);
  }

  async history(ids: readonly string[]): Promise<Map<string, JobInfo> | null> {
    if (ids.length === 0) return new Map();
    const out = await slurmCommand("sacct", [
      "-n",
      "-P",
      "-X",
      "-j",
      ids.join(","),
      "-o",
      SACCT_FIELDS,
    ]);
    if (!out.ok && /accounting storage is disabled/i.test(out.stderr + out.stdout)) return null;
    if (!out.ok) throw new Error(`sacct failed: ${out.stderr || out.stdout}`);
    return parseSacct(out.stdout);
  }

  async findByComment(name: string, comment: string): Promise<string[]> {
    const out = await slurmCommand("squeue", ["-h", "-t", "all", "-n", name, "-o", "%i|%k"]);
    if (!out.ok) throw new Error(`squeue failed: ${out.stderr || out.stdout}`);
    return out.stdout.split("\n").filter((l) => l.slice(l.indexOf("|") + 1) === comment)
      .map((l) => l.slice(0, l.indexOf("|")));
  }

  async ping(): Promise<void> {
    // A job name no job has: the answer is empty, but only a reachable controller gives it.
    const out = await slurmCommand("squeue", ["-h", "-o", "%i", "-n", "pipeline-preflight"]);
    if (!out.ok) throw new Error(`squeue failed: ${firstLine(out.stderr || out.stdout)}`);
  }

  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const out = await slurmCommand("scancel", [...ids]);
    if (!out.ok) throw new Error(`scancel failed: ${out.stderr || out.stdout}`);
  }
}

async function slurmCommand(
  command: string,
  args: string[],
): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${command} not found: --executor slurm needs SLURM's commands on the PATH ` +
          "(Debian: slurm-client; tools/slurm.sh start sets up a one-node cluster)",
      );
    }
    throw error;
  }
  const text = new TextDecoder();
  const stderr = text.decode(out.stderr).trim();
  const hint = /configuration source|Unable to contact slurm controller/i.test(stderr)
    ? " (no cluster found: set SLURM_CONF, e.g. eval $(tools/slurm.sh env))"
    : "";
  return { ok: out.success, stdout: text.decode(out.stdout), stderr: stderr + hint };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0];
}
