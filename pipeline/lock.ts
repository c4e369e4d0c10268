/**
 * Per-artifact locks that hold across hosts on a shared filesystem: leases with heartbeats.
 *
 * `flock` is not enough between hosts (Lustre's `localflock` and some NFS setups make it per
 * host, and a lock of a crashed client is released late or never), so a lock is a lease file
 * created atomically with `link()` (one creator wins, on every POSIX filesystem and NFS) holding
 * its holder's pid, host, start time and a random nonce. While a process holds leases in a
 * directory, it rewrites one heartbeat file there (`.heartbeat-<its nonce>`, a counter and a time
 * stamp) every 5 s: one write per directory, however many leases it holds.
 *
 * A lease is stale, and may be broken, when its holder
 * - ran on this host and its pid is gone (at once: a kill -9 is seen immediately), or
 * - has no heartbeat file (it released it, or died between the two writes), or
 * - has a heartbeat that has not moved for `staleMs` (30 s) as this process sees it (its own
 *   monotonic clock: no trust in other hosts' clocks), or whose time stamp is older than
 *   `staleMs` + 60 s by this host's clock (what a caller that does not wait goes by).
 *
 * Breakers take turns through a guard file, and remove a lease only while it is still the one
 * they judged stale (same nonce). Release removes the file only while it is still this holder's. A holder stalled for longer than `staleMs` can lose its lease to another process
 * (both then produce the same artifact; commits are atomic renames of identical bytes, so the
 * store stays consistent).
 *
 * @module
 */
import { writeFileAtomic } from "../util/atomic_write.ts";

/** Who holds (or held) a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

/** The lease file's content. */
interface Lease extends LockHolder {
  readonly nonce: string;
  /** The holder process's heartbeat file, in the lease's directory. */
  readonly heartbeat: string;
}

/** A held lock. */
export interface HeldLock {
  /** Set when this acquisition broke a lock left by a process that died holding it. */
  readonly brokeStale: LockHolder | null;
  /** Releases the lock and removes the file. */
  release(): Promise<void>;
}

/** What the caller is told while waiting. */
export interface LockWaitOptions {
  /** Called once when the lock is busy, with the current holder when known. */
  onWait?: (holder: LockHolder | null) => void;
  /** Polling interval in milliseconds (default 100). */
  pollMs?: number;
  /** Give up at once when the lock is busy: acquireLock then resolves to null. */
  noWait?: boolean;
  /** How long a heartbeat may stand still before its leases are stale (default 30 000 ms). */
  staleMs?: number;
}

/** How often a holder rewrites its heartbeat file. */
export const HEARTBEAT_MS = 5_000;
const STALE_MS = 30_000;
/** The clock difference between hosts that a time stamp's age is allowed on top of staleMs. */
const SKEW_MS = 60_000;

const PROCESS_NONCE = crypto.randomUUID();
const HEARTBEAT_NAME = `.heartbeat-${PROCESS_NONCE}`;

/** Waits for and takes the lock at `path` (its directory must exist). */
export async function acquireLock(
  path: string,
  options: LockWaitOptions & { noWait: true },
): Promise<HeldLock | null>;
export async function acquireLock(path: string, options?: LockWaitOptions): Promise<HeldLock>;
export async function acquireLock(
  path: string,
  options: LockWaitOptions = {},
): Promise<HeldLock | null> {
  const dir = dirOf(path);
  const staleMs = options.staleMs ?? STALE_MS;
  let told = false;
  let brokeStale: LockHolder | null = null;
  await heartbeats.hold(dir);
  try {
    while (true) {
      const me: Lease = {
        pid: Deno.pid,
        hostname: Deno.hostname(),
        startedAt: new Date().toISOString(),
        nonce: crypto.randomUUID(),
        heartbeat: HEARTBEAT_NAME,
      };
      if (await createExclusive(path, JSON.stringify(me))) {
        return { brokeStale, release: () => release(path, me.nonce) };
      }
      const holder = await readLease(path);
      if (holder === undefined) continue; // removed meanwhile: try again at once
      if (await isStale(dir, holder, staleMs)) {
        const broke = await breakLease(path, holder?.nonce ?? null);
        if (broke && holder) brokeStale = holderOf(holder);
        if (!broke) await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
        continue;
      }
      if (options.noWait) {
        await heartbeats.drop(dir);
        return null;
      }
      if (!told) {
        told = true;
        options.onWait?.(holder ? holderOf(holder) : null);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    }
  } catch (error) {
    await heartbeats.drop(dir);
    throw error;
  }
}

/** The holder of the lock at `path` while it is held and not stale, else null (for `status`). */
export async function liveHolder(path: string): Promise<LockHolder | null> {
  const lease = await readLease(path);
  if (!lease || await isStale(dirOf(path), lease, STALE_MS)) return null;
  return holderOf(lease);
}

/**
 * What dead holders left in `dir`: heartbeat files no live process beats, and the temporary files
 * of interrupted acquisitions and breaks (for gc to remove).
 */
export async function deadLockFiles(dir: string): Promise<string[]> {
  const dead: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (/^\.heartbeat-/.test(e.name) && e.name !== HEARTBEAT_NAME) {
      if (await heartbeatStale(path, STALE_MS, null)) dead.push(path);
    } else if (/^\.lock-.*\.(new-[0-9a-f-]+|breaking)$/.test(e.name)) {
      const age = Date.now() - ((await Deno.stat(path)).mtime?.getTime() ?? 0);
      if (age > STALE_MS + SKEW_MS) dead.push(path);
    }
  }
  return dead;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
}

function holderOf(lease: Lease): LockHolder {
  return { pid: lease.pid, hostname: lease.hostname, startedAt: lease.startedAt };
}

/** Creates `path` with `text` unless it exists, atomically (link of a complete temporary file). */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.new-${crypto.randomUUID()}`;
  await Deno.writeTextFile(temp, text);
  try {
    await Deno.link(temp, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  } finally {
    await Deno.remove(temp).catch(() => {});
  }
}

/** The lease at `path`: undefined when there is none, null when it cannot be read. */
async function readLease(path: string): Promise<Lease | null | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    const lease = JSON.parse(text);
    return typeof lease?.pid === "number" && typeof lease?.nonce === "string" ? lease : null;
  } catch {
    return null;
  }
}

/**
 * Whether a lease (null: unreadable, e.g. written by an older version) is stale; see the module
 * documentation.
 */
async function isStale(dir: string, lease: Lease | null, staleMs: number): Promise<boolean> {
  if (!lease) return true;
  if (lease.hostname === Deno.hostname() && !pidAlive(lease.pid)) return true;
  if (lease.heartbeat === HEARTBEAT_NAME) return false; // this process: alive
  if (!/^\.heartbeat-[0-9a-f-]+$/.test(lease.heartbeat ?? "")) return true;
  return await heartbeatStale(`${dir}/${lease.heartbeat}`, staleMs, staleMs);
}

/** When this process first saw each heartbeat file's current content (for staleness). */
const observed = new Map<string, { text: string; since: number }>();

/**
 * Whether a heartbeat file is stale: missing, its stamp older than staleMs + skew, or (with
 * `observeMs`) unchanged for that long as this process sees it.
 */
async function heartbeatStale(
  path: string,
  staleMs: number,
  observeMs: number | null,
): Promise<boolean> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw error;
  }
  let beat: { pid?: number; hostname?: string; at?: string } = {};
  try {
    beat = JSON.parse(text);
  } catch { /* being replaced: judged by observation below */ }
  if (beat.hostname === Deno.hostname() && typeof beat.pid === "number" && !pidAlive(beat.pid)) {
    return true;
  }
  const at = Date.parse(beat.at ?? "");
  if (Number.isFinite(at) && Date.now() - at > staleMs + SKEW_MS) return true;
  if (observeMs === null) return false;
  const now = performance.now();
  const seen = observed.get(path);
  if (!seen || seen.text !== text) {
    observed.set(path, { text, since: now });
    return false;
  }
  return now - seen.since > observeMs;
}

/**
 * Breaks the lease at `path` that was judged stale (its nonce; null for an unreadable one).
 * Breakers take turns through a guard file (`<path>.breaking`, created like a lease), and remove
 * the lease only while it is still the one judged stale. Returns true when it was removed.
 */
async function breakLease(path: string, nonce: string | null): Promise<boolean> {
  const guard = `${path}.breaking`;
  const me = { pid: Deno.pid, hostname: Deno.hostname(), at: new Date().toISOString() };
  if (!(await createExclusive(guard, JSON.stringify(me)))) {
    // Another process is breaking it (a matter of milliseconds), unless it died doing so.
    if (await guardStale(guard)) await Deno.remove(guard).catch(() => {});
    return false;
  }
  try {
    const current = await readLease(path);
    if (current === undefined || (current?.nonce ?? null) !== nonce) return false;
    await Deno.remove(path);
    return true;
  } finally {
    await Deno.remove(guard).catch(() => {});
  }
}

/** A break guard is stale when its process is gone from this host or it is older than 10 s. */
async function guardStale(guard: string): Promise<boolean> {
  try {
    const g = JSON.parse(await Deno.readTextFile(guard));
    if (g.hostname === Deno.hostname() && !pidAlive(g.pid)) return true;
    return !(Date.now() - Date.parse(g.at) <= 10_000 + SKEW_MS);
  } catch {
    return false; // gone, or being written
  }
}

async function release(path: string, nonce: string): Promise<void> {
  try {
    if ((await readLease(path))?.nonce === nonce) await Deno.remove(path).catch(() => {});
  } finally {
    await heartbeats.drop(dirOf(path));
  }
}

/** True when a process with this pid exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    try {
      Deno.kill(pid, "SIGCONT"); // where /proc is absent: signal 0 is not available in Deno
      return true;
    } catch (error) {
      return error instanceof Deno.errors.PermissionDenied;
    }
  }
}

/** This process's heartbeat files, one per directory in which it holds or seeks leases. */
class Heartbeats {
  #dirs = new Map<
    string,
    { users: number; beat: number; timer?: ReturnType<typeof setInterval>; last: Promise<void> }
  >();

  /** Starts (or joins) the heartbeat of `dir`; resolves once its file exists. */
  async hold(dir: string): Promise<void> {
    let entry = this.#dirs.get(dir);
    if (entry) entry.users++;
    else {
      entry = { users: 1, beat: 0, last: Promise.resolve() };
      this.#dirs.set(dir, entry);
      const e = entry;
      e.last = this.#write(dir, e);
      e.timer = setInterval(() => {
        e.last = e.last.then(() => this.#write(dir, e)).catch(() => {});
      }, HEARTBEAT_MS);
      Deno.unrefTimer(Number(e.timer));
    }
    await entry.last;
  }

  /** Leaves the heartbeat of `dir`; the last user stops it and removes its file. */
  async drop(dir: string): Promise<void> {
    const entry = this.#dirs.get(dir);
    if (!entry || --entry.users > 0) return;
    clearInterval(entry.timer);
    this.#dirs.delete(dir);
    await entry.last.catch(() => {});
    await Deno.remove(`${dir}/${HEARTBEAT_NAME}`).catch(() => {});
  }

  async #write(dir: string, entry: { beat: number }): Promise<void> {
    const beat = {
      pid: Deno.pid,
      hostname: Deno.hostname(),
      beat: ++entry.beat,
      at: new Date().toISOString(),
    };
    await writeFileAtomic(`${dir}/${HEARTBEAT_NAME}`, JSON.stringify(beat));
  }
}

const heartbeats = new Heartbeats();

/**
 * True when a live process holds the lock at `path`; changes nothing (for a dry run, or a store
 * that cannot be written).
 */
export async function lockIsHeld(path: string): Promise<boolean> {
  return (await liveHolder(path)) !== null;
}
