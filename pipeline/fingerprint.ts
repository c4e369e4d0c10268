/**
 * Code fingerprints: what a stage's code is as it runs.
 *
 * `deno info --json` resolves the module graph (import map, npm versions as locked in deno.lock);
 * each local module's runtime code (_runtime_code.ts: no comments, formatting, types, type-only
 * imports, unused imports) decides which of its imports are followed. A module's hash covers its
 * runtime code and the hashes of the modules it loads, not their paths, so renaming or moving a
 * module whose runtime code is unchanged changes no fingerprint; a module that reads
 * `import.meta` (a stage module's `module: import.meta.url`, `createRequire`) depends on where it
 * is, and its path is hashed with it. Import cycles are hashed as one. The engine's own modules
 * (this folder) are not followed: an engine change must not rerun the science. npm packages and
 * remote modules enter by their resolved versions, closed over their dependencies.
 *
 * Each file's runtime code is cached by content hash (`cachePath`), so that only changed files
 * are parsed; TypeScript's parser is loaded only then.
 *
 * @module
 */
import { canonicalJson, sha256Hex } from "./hash.ts";
import type { HashState } from "./hash_state.ts";
import {
  loadTypeScript,
  type ModuleReference,
  RUNTIME_CODE_VERSION,
  runtimeCode,
} from "./_runtime_code.ts";
import { RuntimeCodeCache } from "./_runtime_code_cache.ts";

/** How fingerprints are taken (manifests written before this field existed hashed source text). */
export const FINGERPRINT_METHOD = "runtime code";

/** A stage module's code fingerprint. */
export interface CodeFingerprint {
  /** Hash over the runtime code of every module reached, and the dependencies. */
  readonly hash: string;
  /** Always FINGERPRINT_METHOD. */
  readonly method: string;
  /**
   * Local module (path relative to the project root) → hash of its runtime code and of where its
   * imports lead (so that status can name the files that changed).
   */
  readonly files: Readonly<Record<string, string>>;
  /** Resolved external dependencies: `npm:name@version` and remote module URLs, sorted. */
  readonly dependencies: readonly string[];
}

interface InfoModule {
  kind?: string;
  specifier: string;
  local?: string;
  mediaType?: string;
  npmPackage?: string;
  error?: string;
  dependencies?: { specifier: string; code?: { specifier?: string; error?: string } }[];
  /** Not from `deno info`: the module was found through `new URL(…)` (see unresolvedModule). */
  unresolved?: boolean;
}

interface NpmPackage {
  name: string;
  version: string;
  dependencies?: string[];
}

interface InfoOutput {
  roots: string[];
  modules: InfoModule[];
  redirects?: Record<string, string>;
  npmPackages?: Record<string, NpmPackage>;
}

/**
 * Where a reference leads: a local module by URL (`alone`: found without `deno info`), or
 * anything else by id (npm: with its package).
 */
type Target =
  | { readonly local: string; readonly alone?: boolean }
  | { readonly id: string; readonly npm?: string };

/** A local module reached at run time: its runtime code and what its references resolve to. */
interface LocalModule {
  readonly url: string;
  readonly path: string;
  /** Hash of its own code (runtime code, or the bytes of a JSON module), with its path if bound. */
  readonly self: string;
  /** Per reference: a local module's URL, or the id of anything else (`npm:…`, `node:…`, …). */
  readonly targets: readonly Target[];
}

const ENGINE_DIR = new URL(".", import.meta.url).pathname;

const SCRIPT_KINDS: Record<string, string> = {
  TypeScript: ".ts",
  Mts: ".mts",
  Cts: ".cts",
  TSX: ".tsx",
  JavaScript: ".js",
  Mjs: ".mjs",
  Cjs: ".cjs",
  JSX: ".jsx",
};

/** Computes and caches (for the lifetime of the object: one run) fingerprints of modules. */
export class CodeFingerprinter {
  #fingerprints = new Map<string, Promise<CodeFingerprint>>();
  #modules = new Map<string, Promise<LocalModule>>();
  /** Every module `deno info` reported so far, by specifier; redirects; npm packages by id. */
  #graph = new Map<string, InfoModule>();
  #redirects = new Map<string, string>();
  #npmPackages = new Map<string, NpmPackage>();
  #infos = new Map<string, Promise<void>>();
  #cache: RuntimeCodeCache;

  /** `cachePath`: where runtime code is cached between runs (none: parse every file). */
  constructor(
    private readonly root: string,
    private readonly hashes: HashState,
    cachePath?: string,
  ) {
    this.#cache = new RuntimeCodeCache(cachePath, RUNTIME_CODE_VERSION);
  }

  /** The fingerprint of a module given by its file: URL. */
  of(moduleUrl: string): Promise<CodeFingerprint> {
    let result = this.#fingerprints.get(moduleUrl);
    if (!result) {
      result = this.#compute(moduleUrl).finally(() => this.#cache.save());
      this.#fingerprints.set(moduleUrl, result);
    }
    return result;
  }

  async #compute(rootUrl: string): Promise<CodeFingerprint> {
    // A new store parses every module: load the parser while `deno info` runs.
    if (await this.#cache.isEmpty()) loadTypeScript().catch(() => {});
    const modules = new Map<string, LocalModule>();
    const npmRoots: string[] = [];
    const remote = new Set<string>();
    const queue: Extract<Target, { local: string }>[] = [{ local: rootUrl }];
    while (queue.length) {
      const next = queue.pop()!;
      if (modules.has(next.local)) continue;
      const m = await this.#module(next);
      modules.set(next.local, m);
      for (const target of m.targets) {
        if ("local" in target) queue.push(target);
        else if (target.npm) npmRoots.push(target.npm);
        else if (/^(https?|jsr):/.test(target.id)) remote.add(target.id);
      }
    }
    const merkle = merkleHashes(modules);
    const files: Record<string, string> = {};
    for (const m of [...modules.values()].sort((a, b) => a.path < b.path ? -1 : 1)) {
      const leadsTo = m.targets.map((t) => "local" in t ? modules.get(t.local)!.path : t.id);
      files[m.path] = sha256Hex(canonicalJson({ self: m.self, imports: leadsTo }));
    }
    const dependencies = [...remote, ...npmClosure(this.#npmPackages, npmRoots)].sort();
    const hash = sha256Hex(canonicalJson({
      method: FINGERPRINT_METHOD,
      module: merkle.get(rootUrl),
      dependencies,
    }));
    return { hash, method: FINGERPRINT_METHOD, files, dependencies };
  }

  /** A local module: its runtime code (cached by content) and its references resolved. */
  #module(target: Extract<Target, { local: string }>): Promise<LocalModule> {
    let result = this.#modules.get(target.local);
    if (!result) {
      result = this.#readModule(target.local, target.alone === true);
      this.#modules.set(target.local, result);
    }
    return result;
  }

  /**
   * `alone`: the module was reached through `new URL(…)` (a worker) or from such a module, so
   * `deno info` may not have seen it; its relative and `node:` imports are resolved here, and
   * `deno info` is asked only when it has others.
   */
  async #readModule(url: string, alone: boolean): Promise<LocalModule> {
    let info = this.#graph.get(url) ?? (alone ? unresolvedModule(url) : await this.#infoOf(url));
    if (!info.local) throw new Error(`module graph: ${url} not found`);
    if (info.error) throw new Error(`module graph: ${url}: ${info.error}`);
    const path = this.#display(info.local);
    const content = await this.hashes.hashFile(info.local).catch((error) => {
      throw error instanceof Deno.errors.NotFound ? new Error(`${url} does not exist`) : error;
    });
    const extension = SCRIPT_KINDS[info.mediaType ?? ""];
    if (!extension) return { url, path, self: `bytes:${content.hash}`, targets: [] };
    const code = await this.#cache.get(
      content.hash + extension,
      async () =>
        runtimeCode(await loadTypeScript(), await Deno.readTextFile(info.local!), `m${extension}`),
    );
    const self = sha256Hex(canonicalJson({
      code: code.hash,
      place: code.usesImportMeta ? path : null,
    }));
    let targets = code.refs.map((ref) => this.#resolve(ref, info));
    if (targets.includes(null)) {
      info = await this.#infoOf(url);
      targets = code.refs.map((ref) => this.#resolve(ref, info));
    }
    return { url, path, self, targets: targets as Target[] };
  }

  /**
   * Where a reference leads: a local module outside the engine, or the id of anything else; null
   * for a module `deno info` has not seen whose import is neither relative nor `node:`.
   */
  #resolve(ref: ModuleReference, from: InfoModule): Target | null {
    let url: string;
    const unresolved = from.unresolved === true;
    if (ref.kind === "url" || (unresolved && /^\.\.?\//.test(ref.specifier))) {
      url = new URL(ref.specifier, from.specifier).href;
    } else if (unresolved) {
      return ref.specifier.startsWith("node:") ? { id: ref.specifier } : null;
    } else {
      const dep = from.dependencies?.find((d) => d.specifier === ref.specifier);
      const resolved = dep?.code?.specifier;
      if (!resolved) {
        const why = dep?.code?.error ?? "not resolved";
        throw new Error(`module graph: ${from.specifier}: "${ref.specifier}": ${why}`);
      }
      url = this.#redirects.get(resolved) ?? resolved;
    }
    if (url.startsWith("file:")) {
      const path = decodeURIComponent(new URL(url).pathname);
      if (path.startsWith(ENGINE_DIR)) return { id: `engine:${path.slice(ENGINE_DIR.length)}` };
      return ref.kind === "url" || unresolved ? { local: url, alone: true } : { local: url };
    }
    const target = this.#graph.get(url);
    if (target?.error) throw new Error(`module graph: ${url}: ${target.error}`);
    if (target?.kind === "npm" && target.npmPackage) {
      return { id: `npm:${url.replace(/^npm:\/?/, "")}`, npm: target.npmPackage };
    }
    return { id: url };
  }

  /** The module as `deno info` resolves it (run once per module not yet seen). */
  async #infoOf(url: string): Promise<InfoModule> {
    if (!this.#graph.has(url)) {
      if (!this.#infos.has(url)) this.#infos.set(url, this.#denoInfo(url));
      await this.#infos.get(url);
    }
    const info = this.#graph.get(url);
    if (!info) throw new Error(`module graph: ${url} not found`);
    return info;
  }

  /** Adds the module graph from one root, as `deno info` resolves it, to what is known. */
  async #denoInfo(moduleUrl: string): Promise<void> {
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
    for (const m of info.modules) this.#graph.set(m.specifier, m);
    for (const [from, to] of Object.entries(info.redirects ?? {})) this.#redirects.set(from, to);
    for (const [id, p] of Object.entries(info.npmPackages ?? {})) this.#npmPackages.set(id, p);
  }

  #display(path: string): string {
    const root = this.root.endsWith("/") ? this.root : this.root + "/";
    return path.startsWith(root) ? path.slice(root.length) : path;
  }
}

/** A local module `deno info` has not seen: its imports are not resolved yet. */
function unresolvedModule(url: string): InfoModule {
  const path = decodeURIComponent(new URL(url).pathname);
  const extension = path.slice(path.lastIndexOf("."));
  const mediaType = Object.keys(SCRIPT_KINDS).find((k) => SCRIPT_KINDS[k] === extension);
  return { specifier: url, local: path, mediaType: mediaType ?? "Unknown", unresolved: true };
}

/** `npm:name@version` of the given packages and of everything they depend on. */
function npmClosure(packages: ReadonlyMap<string, NpmPackage>, roots: string[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  while (roots.length) {
    const id = roots.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const pkg = packages.get(id);
    out.add(pkg ? `npm:${pkg.name}@${pkg.version}` : `npm:${id}`);
    roots.push(...(pkg?.dependencies ?? []));
  }
  return [...out];
}

/**
 * Each module's hash over its own code and the hashes of what it loads (a Merkle hash over the
 * module graph). The modules of an import cycle share one hash over the cycle, in which members
 * refer to each other by their own code's hash.
 */
function merkleHashes(modules: ReadonlyMap<string, LocalModule>): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const component of stronglyConnected(modules)) {
    const members = new Set(component.map((m) => m.url));
    const describe = (m: LocalModule) =>
      canonicalJson({
        self: m.self,
        imports: m.targets.map((t) =>
          !("local" in t)
            ? t.id
            : members.has(t.local)
            ? { cycle: modules.get(t.local)!.self }
            : hashes.get(t.local)!
        ),
      });
    const cyclic = component.length > 1 ||
      component[0].targets.some((t) => "local" in t && t.local === component[0].url);
    if (!cyclic) {
      hashes.set(component[0].url, sha256Hex(describe(component[0])));
      continue;
    }
    const cycle = sha256Hex(component.map(describe).sort().join("\n"));
    for (const m of component) hashes.set(m.url, sha256Hex(canonicalJson({ self: m.self, cycle })));
  }
  return hashes;
}

/** Tarjan's strongly connected components, each after every component it reaches. */
function stronglyConnected(modules: ReadonlyMap<string, LocalModule>): LocalModule[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), out: LocalModule[][] = [];
  const visit = (url: string) => {
    index.set(url, index.size);
    low.set(url, index.get(url)!);
    stack.push(url);
    onStack.add(url);
    for (const t of modules.get(url)!.targets) {
      if (!("local" in t)) continue;
      if (!index.has(t.local)) {
        visit(t.local);
        low.set(url, Math.min(low.get(url)!, low.get(t.local)!));
      } else if (onStack.has(t.local)) {
        low.set(url, Math.min(low.get(url)!, index.get(t.local)!));
      }
    }
    if (low.get(url) !== index.get(url)) return;
    const component: LocalModule[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(modules.get(member)!);
    } while (member !== url);
    out.push(component);
  };
  for (const url of modules.keys()) if (!index.has(url)) visit(url);
  return out;
}
