/**
 * Code fingerprints: what a stage's code is, taken from Deno's own module graph.
 *
 * `deno info --json <module>` lists every module the stage's module imports transitively. The
 * fingerprint hashes the content of each local module (except the engine's own, in this folder:
 * an engine change must not rerun the science) and the exact resolved versions of the npm
 * packages and remote modules it reaches, closed over their dependencies as locked in deno.lock.
 *
 * @module
 */
import { sha256Hex } from "./hash.ts";
import type { HashState } from "./hash_state.ts";

/** A stage module's code fingerprint. */
export interface CodeFingerprint {
  /** Hash over everything below. */
  readonly hash: string;
  /** Local module (path relative to the project root) → content hash. */
  readonly files: Readonly<Record<string, string>>;
  /** Resolved external dependencies: `npm:name@version` and remote module URLs, sorted. */
  readonly dependencies: readonly string[];
}

interface InfoModule {
  kind?: string;
  specifier: string;
  local?: string;
  npmPackage?: string;
  error?: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

interface InfoOutput {
  roots: string[];
  modules: InfoModule[];
  redirects?: Record<string, string>;
  npmPackages?: Record<string, { name: string; version: string; dependencies?: string[] }>;
}

const ENGINE_DIR = new URL(".", import.meta.url).pathname;

/** Computes and caches (for the lifetime of the object: one run) fingerprints of modules. */
export class CodeFingerprinter {
  #cache = new Map<string, Promise<CodeFingerprint>>();

  constructor(private readonly root: string, private readonly hashes: HashState) {}

  /** The fingerprint of a module given by its file: URL. */
  of(moduleUrl: string): Promise<CodeFingerprint> {
    let result = this.#cache.get(moduleUrl);
    if (!result) {
      result = this.#compute(moduleUrl);
      this.#cache.set(moduleUrl, result);
    }
    return result;
  }

  async #compute(moduleUrl: string): Promise<CodeFingerprint> {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", moduleUrl],
      cwd: this.root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `cannot read the module graph of ${moduleUrl}: ${
          new TextDecoder().decode(out.stderr).trim()
        }`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as InfoOutput;
    const files: Record<string, string> = {};
    const deps = new Set<string>();
    const npmRoots: string[] = [];
    for (const m of reachableOutsideEngine(info)) {
      if (m.error) throw new Error(`module graph of ${moduleUrl}: ${m.specifier}: ${m.error}`);
      if (m.specifier.startsWith("file:") && m.local) {
        files[this.#display(m.local)] = (await this.hashes.hashFile(m.local)).hash;
      } else if (m.kind === "npm" && m.npmPackage) {
        npmRoots.push(m.npmPackage);
      } else if (/^(https?|jsr):/.test(m.specifier)) {
        deps.add(m.specifier);
      }
    }
    const seen = new Set<string>();
    while (npmRoots.length) {
      const id = npmRoots.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const pkg = info.npmPackages?.[id];
      deps.add(pkg ? `npm:${pkg.name}@${pkg.version}` : `npm:${id}`);
      npmRoots.push(...(pkg?.dependencies ?? []));
    }
    const dependencies = [...deps].sort();
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a < b ? -1 : 1));
    const hash = sha256Hex(JSON.stringify({ files: sorted, dependencies }));
    return { hash, files: sorted, dependencies };
  }

  #display(path: string): string {
    const root = this.root.endsWith("/") ? this.root : this.root + "/";
    return path.startsWith(root) ? path.slice(root.length) : path;
  }
}

/**
 * The modules of the graph reached from its roots without passing through the engine: engine
 * modules are left out, and so is what only they import (util/ modules the engine uses), since
 * an engine change must not rerun the science.
 */
function reachableOutsideEngine(info: InfoOutput): InfoModule[] {
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const resolve = (s: string) => info.redirects?.[s] ?? s;
  const reached: InfoModule[] = [];
  const seen = new Set<string>();
  const queue = info.roots.map(resolve);
  while (queue.length) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    const m = bySpecifier.get(specifier);
    if (!m || m.local?.startsWith(ENGINE_DIR)) continue;
    reached.push(m);
    for (const d of m.dependencies ?? []) {
      for (const next of [d.code?.specifier, d.type?.specifier]) {
        if (next) queue.push(resolve(next));
      }
    }
  }
  return reached;
}
