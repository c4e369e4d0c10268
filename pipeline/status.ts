/**
 * Freshness of stage instances and the reason why one is stale.
 *
 * An instance's cache key hashes its stage name, canonical parameters, code fingerprint and the
 * content hashes of its inputs (an upstream artifact's `contentHash`, an external path's tree
 * hash). It is fresh when a complete, intact artifact exists for that key. Because inputs enter
 * the key by content, an upstream rerun that produces identical bytes leaves downstream fresh
 * (early cutoff). When stale, the key's parts are compared with the instance's latest manifest to
 * say why: "param lr changed 0.01 → 0.02", "code changed: science/model/curvature.ts", …
 *
 * @module
 */
import { canonicalJson } from "./hash.ts";
import { abbreviateList } from "./_listing.ts";
import type { HashState } from "./hash_state.ts";
import type { CodeFingerprint, CodeFingerprinter } from "./fingerprint.ts";
import type { DagNode } from "./graph.ts";
import type { UpstreamFailure } from "./stage.ts";
import { cacheKey, type InputRecord, type Manifest } from "./store.ts";
import type { ArtifactStore } from "./store.ts";

/** Everything that goes into an instance's cache key. */
export interface KeyParts {
  readonly key: string;
  readonly code: CodeFingerprint;
  readonly inputs: Record<string, InputRecord | readonly InputRecord[]>;
  /** The upstream failures a `partialInputs` stage runs with (none otherwise). */
  readonly failures?: readonly UpstreamFailure[];
}

/** The state of an instance: fresh with its manifest, or stale/missing with the reasons. */
export type NodeState =
  | { readonly status: "fresh"; readonly parts: KeyParts; readonly manifest: Manifest }
  | {
    readonly status: "stale" | "missing";
    /** Null when the key cannot be known yet because an upstream instance is not fresh. */
    readonly parts: KeyParts | null;
    readonly reasons: readonly string[];
  };

/** Computes keys and states of instances against one artifact store. */
export class Evaluator {
  constructor(
    private readonly projectRoot: string,
    private readonly store: ArtifactStore,
    private readonly hashes: HashState,
    private readonly fingerprints: CodeFingerprinter,
  ) {}

  /**
   * The key parts of a node given the manifests of its upstream nodes, or null when one of them
   * has none (not fresh yet) and is not among the `failures` it may run without.
   */
  async keyParts(
    node: DagNode,
    upstream: ReadonlyMap<DagNode, Manifest>,
    failures: readonly UpstreamFailure[] = [],
  ): Promise<KeyParts | null> {
    const inst = node.instance;
    const inputs: Record<string, InputRecord | InputRecord[]> = {};
    for (const [name, r] of node.inputs) {
      if (r.kind === "external") {
        const path = `${this.projectRoot}/${r.path}`;
        try {
          inputs[name] = { hash: (await this.hashes.hashPath(path)).hash, from: r.path };
        } catch (error) {
          if (error instanceof Deno.errors.NotFound) {
            throw new Error(`stage ${inst.id}: input "${name}": ${r.path} does not exist`);
          }
          throw error;
        }
      } else {
        const nodes = r.kind === "one" ? [r.node] : r.nodes;
        const records: InputRecord[] = [];
        for (const u of nodes) {
          const m = upstream.get(u);
          if (m) records.push({ hash: m.contentHash, from: u.instance.id });
          else if (failures.some((f) => f.id === u.instance.id)) {
            records.push({ hash: "failed", from: u.instance.id });
          } else return null;
        }
        inputs[name] = r.kind === "one" ? records[0] : records;
      }
    }
    const code = await this.fingerprints.of(inst.definition.module);
    const key = cacheKey({
      stage: inst.definition.name,
      params: inst.params,
      codeHash: code.hash,
      inputs,
      failures,
    });
    return { key, code, inputs, failures };
  }

  /**
   * The state of a node, given the manifests of its fresh upstream nodes (and, for a
   * `partialInputs` stage in a run, the upstream failures it runs without).
   */
  async evaluate(
    node: DagNode,
    upstream: ReadonlyMap<DagNode, Manifest>,
    failures: readonly UpstreamFailure[] = [],
  ): Promise<NodeState> {
    const inst = node.instance;
    const parts = await this.keyParts(node, upstream, failures);
    if (!parts) {
      const stale = node.upstream.filter((u) => !upstream.has(u)).map((u) => u.instance.id);
      const latestKey = await this.store.latestKey(inst.definition.name, inst.id);
      const latest = latestKey
        ? await this.store.readManifest(inst.definition.name, latestKey)
        : null;
      const code = await this.fingerprints.of(inst.definition.module);
      const own = latest ? explain(inst.params, { key: "", code, inputs: {} }, latest, false) : [];
      return {
        status: latest ? "stale" : "missing",
        parts: null,
        reasons: [...own, `upstream not fresh: ${abbreviateList(stale)}`],
      };
    }
    const check = await this.store.check(
      inst.definition.name,
      parts.key,
      inst.outputs,
      this.hashes,
    );
    if (check.ok) return { status: "fresh", parts, manifest: check.manifest };
    if (check.problem !== "missing") return { status: "stale", parts, reasons: [check.problem] };
    const latestKey = await this.store.latestKey(inst.definition.name, inst.id);
    if (latestKey === parts.key) {
      return { status: "stale", parts, reasons: ["output missing: artifact removed"] };
    }
    const latest = latestKey
      ? await this.store.readManifest(inst.definition.name, latestKey)
      : null;
    if (!latest) return { status: "missing", parts, reasons: ["never run"] };
    const reasons = explain(inst.params, parts, latest);
    return { status: "stale", parts, reasons: reasons.length ? reasons : ["cache key changed"] };
  }
}

/** A parameter's value for a reason line: long values (lists of sentences) are cut short. */
function show(v: unknown): string {
  const text = v === undefined ? "(none)" : canonicalJson(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The differences between the current key parts and the latest manifest, as sentences. */
export function explain(
  params: Readonly<Record<string, unknown>>,
  parts: KeyParts,
  latest: Manifest,
  compareInputs = true,
): string[] {
  const reasons: string[] = [];
  for (
    const k of [...new Set([...Object.keys(params), ...Object.keys(latest.params ?? {})])].sort()
  ) {
    const before = latest.params?.[k];
    if (canonicalJson(params[k] ?? null) !== canonicalJson(before ?? null)) {
      reasons.push(`param ${k} changed ${show(before)} → ${show(params[k])}`);
    }
  }
  const oldMethod = latest.code?.method ?? "source text";
  if (oldMethod !== parts.code.method) {
    reasons.push(`code fingerprint method changed (${oldMethod} → ${parts.code.method})`);
  } else {
    const changed = changedFiles(parts.code.files, latest.code?.files ?? {});
    if (changed.length) reasons.push(`code changed: ${changed.join(", ")}`);
  }
  const oldDeps = new Set(latest.code?.dependencies ?? []);
  const newDeps = new Set(parts.code.dependencies);
  const depChanges = [
    ...[...newDeps].filter((d) => !oldDeps.has(d)).map((d) => `+${d}`),
    ...[...oldDeps].filter((d) => !newDeps.has(d)).map((d) => `-${d}`),
  ];
  if (depChanges.length) reasons.push(`dependencies changed: ${depChanges.join(" ")}`);
  for (
    const name of !compareInputs
      ? []
      : [...new Set([...Object.keys(parts.inputs), ...Object.keys(latest.inputs ?? {})])]
        .sort()
  ) {
    const now = parts.inputs[name];
    const before = latest.inputs?.[name];
    if (canonicalJson(now ?? null) === canonicalJson(before ?? null)) continue;
    reasons.push(`input ${name} changed (${describeInputChange(now, before)})`);
  }
  return reasons;
}

/** The files whose hash differs, sorted; one gone and one new with the same hash: a move. */
function changedFiles(now: Record<string, string>, before: Record<string, string>): string[] {
  const gone = Object.keys(before).filter((f) => !(f in now));
  const moved = new Map<string, string>();
  for (const f of Object.keys(now).filter((f) => !(f in before)).sort()) {
    const from = gone.find((g) => before[g] === now[f] && !moved.has(g));
    if (from) moved.set(from, f);
  }
  const movedTo = new Set(moved.values());
  return [...new Set([...Object.keys(now), ...Object.keys(before)])].sort()
    .filter((f) => now[f] !== before[f] && !movedTo.has(f))
    .map((f) =>
      moved.has(f)
        ? `${f} → ${moved.get(f)} (moved)`
        : !(f in before)
        ? `${f} (new)`
        : !(f in now)
        ? `${f} (no longer imported)`
        : f
    );
}

/** Which input artifacts changed: the path or instance, or for a list the members that differ. */
function describeInputChange(
  now: InputRecord | readonly InputRecord[] | undefined,
  before: InputRecord | readonly InputRecord[] | undefined,
): string {
  if (now === undefined) return "no longer an input";
  if (!Array.isArray(now)) return (now as InputRecord).from;
  const list = now as readonly InputRecord[];
  const old = new Map(
    (Array.isArray(before) ? before as readonly InputRecord[] : []).map((r) => [r.from, r.hash]),
  );
  const current = new Set(list.map((r) => r.from));
  const changes = [
    ...list.filter((r) => old.get(r.from) !== r.hash).map((r) =>
      old.has(r.from) ? r.from : `+${r.from}`
    ),
    ...[...old.keys()].filter((f) => !current.has(f)).map((f) => `-${f}`),
  ];
  return changes.length ? abbreviateList(changes) : "order changed";
}
