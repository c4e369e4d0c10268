/**
 * The runtime code of each module file, remembered between runs by the file's content hash, so
 * that a status or run parses only the files that changed (and loads no parser when none did).
 * One JSON file; a missing, unreadable or older-version file is an empty cache, a malformed entry
 * is ignored. Saving is best effort (a read-only store keeps working), merges what other runners
 * saved meanwhile, and keeps at most MAX_ENTRIES (those used by this run first): old versions of
 * files go.
 *
 * @module
 */
import type { RuntimeCode } from "./_runtime_code.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** Enough for every version of every module a project has had in a long while. */
const MAX_ENTRIES = 4096;

/** Runtime code by (content hash + file extension), loaded lazily and saved when it grew. */
export class RuntimeCodeCache {
  #entries: Promise<Map<string, RuntimeCode>> | undefined;
  #dirty = false;
  #used = new Map<string, RuntimeCode>();
  #saving = Promise.resolve();

  /** `path`: the cache file (none: nothing is remembered); `version`: RUNTIME_CODE_VERSION. */
  constructor(private readonly path: string | undefined, private readonly version: string) {}

  /** The runtime code under `key`, computed (and remembered) when not known. */
  async get(key: string, compute: () => Promise<RuntimeCode>): Promise<RuntimeCode> {
    const known = (await this.#load()).get(key);
    if (known) {
      this.#used.set(key, known);
      return known;
    }
    const code = await compute();
    (await this.#load()).set(key, code);
    this.#used.set(key, code);
    this.#dirty = true;
    return code;
  }

  /** True when nothing is remembered (a new store: every module will be parsed). */
  async isEmpty(): Promise<boolean> {
    return (await this.#load()).size === 0;
  }

  /** Writes the cache when it grew, merged over the file as it is now. */
  save(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      if (!this.path || !this.#dirty) return;
      this.#dirty = false;
      const merged = new Map(this.#used);
      for (const [key, code] of await this.#read()) if (!merged.has(key)) merged.set(key, code);
      const entries = Object.fromEntries([...merged].slice(0, MAX_ENTRIES));
      await writeFileAtomic(this.path, JSON.stringify({ version: this.version, entries }))
        .catch(() => {}); // a cache: a store that cannot be written is only slower
    });
    return this.#saving;
  }

  #load(): Promise<Map<string, RuntimeCode>> {
    return this.#entries ??= this.#read();
  }

  async #read(): Promise<Map<string, RuntimeCode>> {
    if (!this.path) return new Map();
    try {
      const data = JSON.parse(await Deno.readTextFile(this.path));
      if (data.version !== this.version) return new Map();
      return new Map(
        Object.entries(data.entries as Record<string, RuntimeCode>).filter(
          ([, c]) =>
            typeof c.hash === "string" && typeof c.usesImportMeta === "boolean" &&
            Array.isArray(c.refs) && c.refs.every((r) => typeof r.specifier === "string"),
        ),
      );
    } catch {
      return new Map();
    }
  }
}
