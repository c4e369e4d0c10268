/**
 * The hash state database: remembers (size, mtime, inode) → SHA-256 per file so that a no-op run
 * does not rehash large unchanged artifacts (as DVC's state database does). `verify` bypasses it.
 *
 * A file whose mtime is within a second of the moment it was hashed is not remembered: a write in
 * the same clock tick could leave size and mtime unchanged while the content changed.
 *
 * @module
 */
import { hashFile, sha256Hex } from "./hash.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

type Entry = [size: number, mtimeMs: number, ino: number, hash: string];

const RACY_MS = 1000;

/** A file or directory's content hash and total size in bytes. */
export interface ContentHash {
  readonly hash: string;
  readonly size: number;
}

/** The (size, mtime, inode) → hash memory, loaded from and saved to one JSON file. */
export class HashState {
  #entries: Map<string, Entry>;
  #dirty = false;
  #forgotten = new Set<string>();

  private constructor(readonly path: string, entries: Map<string, Entry>) {
    this.#entries = entries;
  }

  /** Loads the database; a missing or unreadable file gives an empty one. */
  static async load(path: string): Promise<HashState> {
    try {
      const data = JSON.parse(await Deno.readTextFile(path));
      return new HashState(path, new Map(Object.entries(data.entries ?? {})));
    } catch {
      return new HashState(path, new Map());
    }
  }

  /** The hash of a file, from memory when its size, mtime and inode are unchanged. */
  async hashFile(path: string): Promise<ContentHash> {
    const st = await Deno.stat(path);
    if (!st.isFile) throw new Error(`${path} is not a file`);
    const mtime = st.mtime?.getTime() ?? 0;
    const ino = st.ino ?? 0;
    const known = this.#entries.get(path);
    if (known && known[0] === st.size && known[1] === mtime && known[2] === ino) {
      return { hash: known[3], size: st.size };
    }
    const hash = await hashFile(path);
    if (Date.now() - mtime > RACY_MS) {
      this.#entries.set(path, [st.size, mtime, ino, hash]);
      this.#dirty = true;
    }
    return { hash, size: st.size };
  }

  /** The hash of a file, or of a directory as the hash of its sorted (path, hash) listing. */
  async hashPath(path: string): Promise<ContentHash> {
    const st = await Deno.stat(path);
    if (st.isFile) return this.hashFile(path);
    const files: string[] = [];
    const walk = async (dir: string, rel: string) => {
      for await (const e of Deno.readDir(dir)) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory) await walk(`${dir}/${e.name}`, r);
        else files.push(r);
      }
    };
    await walk(path, "");
    files.sort();
    let size = 0;
    const lines: string[] = [];
    for (const f of files) {
      const h = await this.hashFile(`${path}/${f}`);
      size += h.size;
      lines.push(`${h.hash}  ${f}`);
    }
    return { hash: sha256Hex(lines.join("\n")), size };
  }

  /** Forgets every entry under a path prefix (after `verify` found a file corrupt, or gc). */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) {
      if (key === prefix || key.startsWith(prefix + "/")) {
        this.#entries.delete(key);
        this.#forgotten.add(key);
        this.#dirty = true;
      }
    }
  }

  /**
   * Writes the database atomically, merged over what other runners saved meanwhile. The database
   * is only a cache: on a store that cannot be written (read-only, full) nothing is saved and the
   * reason is returned instead of thrown, so reading commands still work; null when saved.
   */
  async save(): Promise<string | null> {
    if (!this.#dirty) return null;
    const onDisk = await HashState.load(this.path);
    const merged = new Map([...onDisk.#entries, ...this.#entries]);
    for (const key of this.#forgotten) if (!this.#entries.has(key)) merged.delete(key);
    try {
      await writeFileAtomic(
        this.path,
        JSON.stringify({ version: 1, entries: Object.fromEntries(merged) }),
      );
    } catch (error) {
      return (error as Error).message;
    }
    this.#dirty = false;
    return null;
  }
}
