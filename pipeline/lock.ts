/**
 * Per-artifact lock files. Mutual exclusion is an advisory `flock` on the file, which the kernel
 * releases when the holder dies (even by kill -9), so a dead holder can never block anyone. The
 * file also records the holder's pid, host and start time: a waiter shows who it waits for, and
 * a runner that acquires a file still holding another process's record knows it broke a stale
 * lock (the holder died without releasing) and says so.
 *
 * Release removes the file before unlocking; an acquirer checks after locking that the path still
 * names the file it locked (same inode), and retries otherwise, so removal never lets two holders
 * in at once.
 *
 * @module
 */

/** Who holds (or held) a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
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
}

async function readHolder(file: Deno.FsFile): Promise<LockHolder | null> {
  try {
    await file.seek(0, Deno.SeekMode.Start);
    const text = new TextDecoder().decode(await readAll(file));
    const h = JSON.parse(text);
    return typeof h?.pid === "number" ? h : null;
  } catch {
    return null;
  }
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  while (true) {
    const n = await file.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, at), at += c.length;
  return out;
}

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
  let told = false;
  while (true) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    if (!(await file.tryLock(true))) {
      if (options.noWait) {
        file.close();
        return null;
      }
      if (!told) {
        told = true;
        options.onWait?.(await readHolder(file));
      }
      file.close();
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
      continue;
    }
    let samePath = false;
    try {
      samePath = (await Deno.stat(path)).ino === (await file.stat()).ino;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (!samePath) {
      file.close(); // released and removed by its holder meanwhile: start again
      continue;
    }
    const previous = await readHolder(file);
    const me: LockHolder = {
      pid: Deno.pid,
      hostname: Deno.hostname(),
      startedAt: new Date().toISOString(),
    };
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(JSON.stringify(me)));
    return {
      brokeStale: previous,
      release: async () => {
        await Deno.remove(path).catch(() => {});
        file.close();
      },
    };
  }
}

/**
 * True when a live process holds the lock at `path`; changes nothing (for a dry run, or a store
 * that cannot be written): the file is opened for reading only, never created.
 */
export async function lockIsHeld(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  try {
    if (!(await file.tryLock(true))) return true;
    await file.unlock();
    return false;
  } finally {
    file.close();
  }
}
