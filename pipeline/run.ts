/**
 * The runner: brings selected stage instances up to date, in dependency order, with up to `jobs`
 * executor runs at once. Each instance to run is locked (so that concurrent runners wait for, and
 * then reuse, each other's work), run into a temporary directory, checked (every declared output,
 * nothing else), hashed, given its manifest, and renamed into place. A failure keeps every other
 * finished artifact and skips only what depends on the failed instance.
 *
 * @module
 */
import type { StageEvents, StageJob } from "./context.ts";
import type { Executor } from "./executor.ts";
import { buildDag, type DagNode, selectNodes, withUpstream } from "./graph.ts";
import { hashFile } from "./hash.ts";
import { abbreviateList } from "./_listing.ts";
import { acquireLock, type LockHolder } from "./lock.ts";
import type { Session } from "./session.ts";
import type { InputArtifact, StageInstance } from "./stage.ts";
import type { KeyParts } from "./status.ts";
import {
  type Manifest,
  manifestSelfHash,
  osReason,
  type OutputRecord,
  outputsContentHash,
} from "./store.ts";
import { isFailure, upstreamFailures } from "./_failures.ts";

/** What a run should do. */
export interface RunOptions {
  /** Stage names or instance ids; empty means every instance. */
  readonly targets: readonly string[];
  /** Also select everything downstream of the targets. */
  readonly downstream?: boolean;
  /** Do not bring upstream instances up to date; they must already be fresh. */
  readonly only?: boolean;
  /** Rerun the selected instances even when fresh. */
  readonly force?: boolean;
  /** Only say what would run. */
  readonly dryRun?: boolean;
  /** Maximum concurrent executor runs (≥ 1). */
  readonly jobs: number;
  readonly executor: Executor;
  readonly reporter: RunReporter;
}

/** How an instance ended in a run. */
export type Outcome =
  | { readonly kind: "ran"; readonly ms: number }
  | { readonly kind: "fresh" }
  | { readonly kind: "reused"; readonly note: string }
  | { readonly kind: "would-run"; readonly reasons: readonly string[] }
  | {
    readonly kind: "failed";
    /** One line: what went wrong, and where the log is. */
    readonly error: string;
    /** The stack or the stage's last stderr lines (also in the log), shown with --verbose. */
    readonly detail?: string;
  }
  | { readonly kind: "skipped"; readonly reason: string };

/** Receives what happens during a run (see progress.ts). */
export interface RunReporter {
  started(id: string): void;
  progress(id: string, done: number, total: number, note?: string): void;
  log(id: string, line: string): void;
  waiting(id: string, holder: LockHolder | null): void;
  notice(message: string): void;
  finished(id: string, outcome: Outcome): void;
}

/** The outcome of every instance the run touched, in DAG order. */
export interface RunSummary {
  readonly outcomes: ReadonlyMap<string, Outcome>;
  readonly ms: number;
  /** Why the hash cache could not be saved (a store that cannot be written), or null. */
  readonly hashesUnsaved?: string | null;
}

/** Runs a pipeline. Throws (before any work) on a bad definition or an unknown target. */
export async function runPipeline(
  session: Session,
  instances: readonly StageInstance[],
  options: RunOptions,
): Promise<RunSummary> {
  const t0 = performance.now();
  const dag = buildDag(instances);
  const selected = selectNodes(dag, { targets: options.targets, downstream: options.downstream });
  const runSet = new Set(options.only ? selected : withUpstream(dag, selected));
  const forced = new Set(options.force ? selected : []);
  const slots = new Semaphore(Math.max(1, options.jobs));
  const outcomes = new Map<string, Outcome>();
  const results = new Map<DagNode, Promise<Manifest | null>>();

  const finish = (node: DagNode, outcome: Outcome) => {
    outcomes.set(node.instance.id, outcome);
    options.reporter.finished(node.instance.id, outcome);
  };

  const resultOf = (node: DagNode): Promise<Manifest | null> => {
    let r = results.get(node);
    if (!r) {
      r = bring(node);
      results.set(node, r);
    }
    return r;
  };

  const bring = async (node: DagNode): Promise<Manifest | null> => {
    const upstream = new Map<DagNode, Manifest>();
    const missing: string[] = [];
    for (const u of node.upstream) {
      const m = await resultOf(u);
      if (m) upstream.set(u, m);
      else missing.push(u.instance.id);
    }
    const inRun = runSet.has(node);
    if (!inRun) {
      // Outside the selection: usable only when already fresh.
      if (missing.length) return null;
      const s = await session.evaluator.evaluate(node, upstream);
      return s.status === "fresh" ? s.manifest : null;
    }
    const failed = missing.filter((id) =>
      outcomes.get(id)?.kind === "failed" || outcomes.get(id)?.kind === "skipped"
    );
    const partial = missing.length > 0 && failed.length === missing.length &&
      node.instance.definition.partialInputs === true;
    if (missing.length && !partial) {
      if (options.dryRun && failed.length === 0) {
        finish(node, {
          kind: "would-run",
          reasons: [`after upstream: ${abbreviateList(missing)}`],
        });
      } else {
        finish(node, {
          kind: "skipped",
          reason: failed.length
            ? `upstream failed: ${abbreviateList(failed)}`
            : `input not fresh: ${abbreviateList(missing)}`,
        });
      }
      return null;
    }
    try {
      const failures = partial ? upstreamFailures(node, outcomes) : [];
      const state = await session.evaluator.evaluate(node, upstream, failures);
      if (state.status === "fresh" && !forced.has(node)) {
        finish(node, { kind: "fresh" });
        if (!options.dryRun) await pointLatest(node, state.manifest.key);
        return state.manifest;
      }
      const reasons = state.status === "fresh" ? ["forced"] : state.reasons;
      if (options.dryRun) {
        finish(node, { kind: "would-run", reasons });
        return null;
      }
      return await produce(node, state.parts!, upstream, forced.has(node));
    } catch (error) {
      finish(node, { kind: "failed", error: (error as Error).message });
      return null;
    }
  };

  /** A write to the store: its failure names the store and the OS's reason, in one line. */
  const inStore = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      throw new Error(`cannot write the artifact store ${session.store.root}: ${osReason(error)}`);
    }
  };

  const produce = async (
    node: DagNode,
    parts: KeyParts,
    upstream: Map<DagNode, Manifest>,
    force: boolean,
  ): Promise<Manifest | null> => {
    const inst = node.instance;
    const def = inst.definition;
    const store = session.store;
    await inStore(() => Deno.mkdir(`${store.root}/${def.name}`, { recursive: true }));
    const lockPath = store.lockPath(def.name, parts.key);
    // Slot first, then the lock without waiting: a runner holds locks only on what it is
    // running, so a second runner can take the rest. A busy lock is waited for without a slot.
    await slots.acquire();
    let lock = await inStore(() => acquireLock(lockPath, { noWait: true })).catch((e) => {
      slots.release();
      throw e;
    });
    let holdsSlot = true;
    if (!lock) {
      slots.release();
      holdsSlot = false;
      lock = await inStore(() =>
        acquireLock(lockPath, { onWait: (holder) => options.reporter.waiting(inst.id, holder) })
      );
    }
    try {
      if (lock.brokeStale) {
        const h = lock.brokeStale;
        options.reporter.notice(
          `${inst.id}: broke a stale lock of pid ${h.pid} on ${h.hostname} (it died)`,
        );
      }
      if (!force || !holdsSlot) {
        const again = await store.check(def.name, parts.key, inst.outputs, session.hashes);
        if (again.ok) {
          finish(node, { kind: "reused", note: "produced by another runner" });
          await pointLatest(node, parts.key);
          return again.manifest;
        }
      }
      if (!holdsSlot) {
        await slots.acquire();
        holdsSlot = true;
      }
      return await execute(node, parts, upstream);
    } finally {
      await lock.release();
      if (holdsSlot) slots.release();
    }
  };

  const execute = async (
    node: DagNode,
    parts: KeyParts,
    upstream: Map<DagNode, Manifest>,
  ): Promise<Manifest | null> => {
    const inst = node.instance;
    const def = inst.definition;
    const store = session.store;
    const outDir = await inStore(() => store.makeTempDir(def.name, parts.key));
    const workDir = store.workDir(def.name, parts.key);
    const logPath = store.logPath(def.name, parts.key);
    using log = await inStore(async () => {
      await Deno.mkdir(workDir, { recursive: true });
      await Deno.mkdir(logPath.slice(0, logPath.lastIndexOf("/")), { recursive: true });
      return await Deno.open(logPath, { write: true, create: true, truncate: true });
    });
    const encoder = new TextEncoder();
    const writeLog = (text: string) => {
      try {
        log.writeSync(encoder.encode(text + "\n"));
      } catch { /* a full disk must not hide the stage's own error behind the log's */ }
    };
    const recorded: Record<string, unknown> = {};
    const events: StageEvents = {
      progress: (done, total, note) => options.reporter.progress(inst.id, done, total, note),
      log: (line) => {
        writeLog(line);
        options.reporter.log(inst.id, line);
      },
      record: (fields) => Object.assign(recorded, fields),
    };
    const job: StageJob = {
      module: def.module,
      stage: def.name,
      instanceId: inst.id,
      params: { ...inst.params },
      inputs: jobInputs(node, upstream, session),
      outDir,
      workDir,
      outputs: inst.outputs,
      projectRoot: session.projectRoot,
      failures: parts.failures,
    };
    options.reporter.started(inst.id);
    const startedAt = new Date();
    const t = performance.now();
    try {
      const execution = await options.executor.run(job, events);
      const outputs = await checkOutputs(outDir, inst.outputs);
      const durationMs = performance.now() - t;
      const written: Omit<Manifest, "manifestHash"> = {
        version: 2,
        stage: def.name,
        instance: inst.id,
        key: parts.key,
        params: { ...inst.params },
        code: parts.code,
        inputs: parts.inputs,
        outputs,
        contentHash: outputsContentHash(outputs),
        recorded,
        deno: { ...Deno.version },
        git: await session.gitRevision(),
        host: Deno.hostname(),
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: Math.round(durationMs),
        ...(parts.failures?.length ? { failures: parts.failures } : {}),
        ...(execution ? { executor: execution } : {}),
      };
      const manifest: Manifest = { ...written, manifestHash: manifestSelfHash(written) };
      await Deno.writeTextFile(`${outDir}/manifest.json`, JSON.stringify(manifest, null, 2) + "\n");
      await store.commit(outDir, def.name, parts.key);
      await store.setLatest(def.name, inst.id, parts.key);
      await Deno.remove(workDir, { recursive: true }).catch(() => {});
      finish(node, { kind: "ran", ms: durationMs });
      return manifest;
    } catch (error) {
      await Deno.remove(outDir, { recursive: true }).catch(() => {});
      const e = error as Error & { detail?: string };
      const [first, ...more] = String(e?.message ?? error).split("\n");
      const detail = [...more, e?.detail ?? e?.stack ?? ""].filter((l) => l).join("\n");
      if (detail) writeLog(detail);
      finish(node, { kind: "failed", error: `${first} (log: ${logPath})`, detail });
      return null;
    }
  };

  /** Points an instance's latest pointers at its current artifact (best effort: read-only). */
  const pointLatest = (node: DagNode, key: string) =>
    session.store.ensureLatest(node.instance.definition.name, node.instance.id, key);

  await Promise.all(dag.nodes.filter((n) => runSet.has(n)).map(resultOf));
  if (!options.dryRun) {
    // `<stage>/latest` shows this pipeline's artifact or nothing, never another configuration's.
    for (const n of dag.nodes) {
      const o = outcomes.get(n.instance.id);
      if (n.instance.id === n.instance.definition.name && o && isFailure(o)) {
        await session.store.removeLatestLink(n.instance.definition.name);
      }
    }
  }
  const ordered = new Map<string, Outcome>();
  for (const n of dag.nodes) {
    const o = outcomes.get(n.instance.id);
    if (o) ordered.set(n.instance.id, o);
  }
  const hashesUnsaved = await session.hashes.save();
  return { outcomes: ordered, ms: performance.now() - t0, hashesUnsaved };
}

function jobInputs(
  node: DagNode,
  upstream: Map<DagNode, Manifest>,
  session: Session,
): Record<string, InputArtifact | InputArtifact[]> {
  const artifact = (u: DagNode): InputArtifact => ({
    stage: u.instance.definition.name,
    params: { ...u.instance.params },
    path: session.store.artifactDir(u.instance.definition.name, upstream.get(u)!.key),
  });
  // An upstream that failed (a partialInputs stage) is left out.
  const inputs: Record<string, InputArtifact | InputArtifact[]> = {};
  for (const [name, r] of node.inputs) {
    if (r.kind === "external") {
      inputs[name] = { stage: null, params: {}, path: `${session.projectRoot}/${r.path}` };
    } else if (r.kind === "one") {
      if (upstream.has(r.node)) inputs[name] = artifact(r.node);
    } else inputs[name] = r.nodes.filter((u) => upstream.has(u)).map(artifact);
  }
  return inputs;
}

/** Checks that a finished output directory holds exactly the declared outputs, and hashes them. */
async function checkOutputs(
  outDir: string,
  declared: readonly string[],
): Promise<Record<string, OutputRecord>> {
  const present: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(`${dir}/${e.name}`, r);
      else present.push(r);
    }
  };
  await walk(outDir, "");
  const missing = declared.filter((d) => !present.includes(d));
  if (missing.length) throw new Error(`did not write declared output(s): ${missing.join(", ")}`);
  const extra = present.filter((p) => !declared.includes(p)).sort();
  if (extra.length) {
    throw new Error(
      `wrote undeclared file(s) in its output directory: ${extra.join(", ")} (declared: ${
        declared.join(", ")
      })`,
    );
  }
  const outputs: Record<string, OutputRecord> = {};
  for (const name of [...declared].sort()) {
    const path = `${outDir}/${name}`;
    outputs[name] = { hash: await hashFile(path), size: (await Deno.stat(path)).size };
  }
  return outputs;
}

/** Limits how many tasks run at once. */
class Semaphore {
  #free: number;
  #queue: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Waits for a free slot and takes it. */
  async acquire(): Promise<void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Gives a slot back (to the longest waiter, if any). */
  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}
