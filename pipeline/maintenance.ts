/**
 * Store maintenance: `verify` re-hashes every artifact from scratch and invalidates corrupt ones;
 * `gc` removes artifacts that no instance of the current pipeline references, plus leftovers of
 * crashed runs (temporary directories whose lock is free).
 *
 * @module
 */
import type { Dag } from "./graph.ts";
import { acquireLock, deadLockFiles, lockIsHeld } from "./lock.ts";
import { evaluateAll, type Session } from "./session.ts";
import { osReason } from "./store.ts";

/** One artifact's verification result. */
export interface VerifyResult {
  readonly stage: string;
  readonly key: string;
  /** Null when intact, else what is wrong (the artifact has then been removed). */
  readonly problem: string | null;
  /** Why a corrupt artifact could not be removed (a store that cannot be written), if so. */
  readonly kept?: string;
}

/** Re-hashes every artifact (ignoring the hash state); removes and reports the corrupt ones. */
export async function verifyArtifacts(session: Session): Promise<VerifyResult[]> {
  const results: VerifyResult[] = [];
  for (const { stage, key } of await session.store.list()) {
    const check = await session.store.check(stage, key, null, null);
    if (check.ok) {
      results.push({ stage, key, problem: null });
      continue;
    }
    try {
      await session.store.discard(stage, key);
    } catch (error) {
      results.push({ stage, key, problem: check.problem, kept: osReason(error) });
      continue;
    }
    session.hashes.forget(session.store.artifactDir(stage, key));
    results.push({ stage, key, problem: check.problem });
  }
  await session.hashes.save();
  return results;
}

/** What gc removed (or would remove). */
export interface GcResult {
  readonly removed: readonly string[];
  readonly kept: number;
}

/**
 * Removes every artifact that is neither the current artifact of an instance of the DAG nor an
 * instance's latest one (kept so that `status` can still say what changed), and temporary
 * directories of crashed runs. With `dryRun`, only lists them.
 */
export async function collectGarbage(
  session: Session,
  dag: Dag,
  dryRun: boolean,
): Promise<GcResult> {
  const store = session.store;
  const keep = new Set<string>();
  const states = await evaluateAll(session, dag);
  for (const [node, state] of states) {
    const stage = node.instance.definition.name;
    if (state.parts) keep.add(`${stage}/${state.parts.key}`);
    const latest = await store.latestKey(stage, node.instance.id);
    if (latest) keep.add(`${stage}/${latest}`);
  }
  const removed: string[] = [];
  let kept = 0;
  for (const { stage, key } of await store.list()) {
    if (keep.has(`${stage}/${key}`)) {
      kept++;
      continue;
    }
    removed.push(`${stage}/${key}`);
    if (!dryRun) {
      await store.discard(stage, key);
      session.hashes.forget(store.artifactDir(stage, key));
      await Deno.remove(store.logPath(stage, key)).catch(() => {});
    }
  }
  for (const leftover of await crashLeftovers(session, keep, dryRun)) {
    removed.push(leftover.slice(store.root.length + 1));
    if (!dryRun) await Deno.remove(leftover, { recursive: true }).catch(() => {});
  }
  if (!dryRun) await session.hashes.save();
  return { removed, kept };
}

/**
 * Temporary and trash directories, and work directories of keys no current instance has, whose
 * producing lock is free (their runner is gone), and the heartbeat files of dead runners. Lock
 * files left by dead runners are removed on the way (taking and releasing a free lock removes its
 * file).
 */
async function crashLeftovers(
  session: Session,
  keep: Set<string>,
  dryRun: boolean,
): Promise<string[]> {
  const store = session.store;
  const found: string[] = [];
  for (const { stage } of await stageDirs(store.root)) {
    found.push(...await deadLockFiles(`${store.root}/${stage}`));
    for await (const e of Deno.readDir(`${store.root}/${stage}`)) {
      const stale = /^\.lock-([0-9a-f]+)$/.exec(e.name);
      if (stale && !dryRun) {
        await (await acquireLock(store.lockPath(stage, stale[1]), { noWait: true }))?.release();
      }
      const m = /^\.(tmp|trash)-([0-9a-f]+)-/.exec(e.name) ??
        /^\.(work|slurm)-([0-9a-f]+)$/.exec(e.name);
      if (!m || !e.isDirectory) continue;
      // A current instance's work directory holds checkpoints its next attempt resumes from, and
      // its SLURM job folder the log of a failed job (or a job a dead driver left running).
      if ((m[1] === "work" || m[1] === "slurm") && keep.has(`${stage}/${m[2]}`)) continue;
      if (dryRun) {
        if (!(await lockIsHeld(store.lockPath(stage, m[2])))) {
          found.push(`${store.root}/${stage}/${e.name}`);
        }
        continue;
      }
      const lock = await acquireLock(store.lockPath(stage, m[2]), { noWait: true });
      if (!lock) continue; // a live runner is producing it
      found.push(`${store.root}/${stage}/${e.name}`);
      await lock.release();
    }
  }
  return found;
}

async function stageDirs(root: string): Promise<{ stage: string }[]> {
  const out: { stage: string }[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      if (e.isDirectory && !e.name.startsWith(".")) out.push({ stage: e.name });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}
