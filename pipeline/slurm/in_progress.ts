/**
 * What `status` says of instances being produced right now: the live holder of the instance's
 * lease (driver pid and host) and, for a SLURM job, its id and state as squeue reports them
 * (one squeue call for all of them; none when no instance has a job); also the queued or running
 * jobs of a driver that is gone, which the next run adopts.
 *
 * @module
 */
import { liveHolder } from "../lock.ts";
import type { ArtifactStore } from "../store.ts";
import { CommandSlurmClient, type SlurmClient } from "./client.ts";
import { jobDirOf, readMarker } from "./job_files.ts";
import { isFinal } from "./parse.ts";

/** An instance whose state is asked about: its stage and cache key. */
export interface Produced {
  readonly id: string;
  readonly stage: string;
  readonly key: string;
}

/** A note per instance in progress (by instance id), e.g. "SLURM job 12 RUNNING on node3". */
export async function inProgressNotes(
  store: ArtifactStore,
  instances: readonly Produced[],
  client: SlurmClient = new CommandSlurmClient(),
): Promise<Map<string, string>> {
  const found: { id: string; driver: string; jobId?: string; orphan?: boolean }[] = [];
  for (const p of instances) {
    const holder = await liveHolder(store.lockPath(p.stage, p.key));
    const marker = await readMarker(jobDirOf(store.workDir(p.stage, p.key)));
    if (holder) {
      const ours = marker?.driver.pid === holder.pid &&
        marker.driver.hostname === holder.hostname;
      const driver = `driver pid ${holder.pid} on ${holder.hostname}`;
      found.push({ id: p.id, driver, jobId: ours ? marker.jobId : undefined });
    } else if (marker?.jobId) {
      // Its driver is gone; the job may still be queued or running: the next run adopts it.
      const driver = `its driver pid ${marker.driver.pid} on ${marker.driver.hostname} is gone ` +
        "(the next run adopts it)";
      found.push({ id: p.id, driver, jobId: marker.jobId, orphan: true });
    }
  }
  const ids = found.flatMap((f) => f.jobId ? [f.jobId] : []);
  let jobs = new Map<string, { state: string; reason: string; nodes: string }>();
  let trouble = "";
  if (ids.length) {
    jobs = await client.query(ids).catch((e) => {
      trouble = ` (${(e as Error).message.split("\n")[0]})`;
      return jobs;
    });
  }
  const notes = new Map<string, string>();
  for (const f of found) {
    const job = f.jobId ? jobs.get(f.jobId) : undefined;
    if (f.orphan && (!job || isFinal(job.state))) continue; // it ended
    const state = job
      ? ` ${job.state}${job.nodes ? ` on ${job.nodes}` : ""}${job.reason ? ` (${job.reason})` : ""}`
      : trouble;
    const what = f.jobId ? `SLURM job ${f.jobId}${state}` : "running";
    notes.set(f.id, `in progress: ${what}, ${f.driver}`);
  }
  return notes;
}
