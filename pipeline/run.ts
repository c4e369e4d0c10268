/**
 * The runner: brings selected stage instances up to date, in dependency order, with up to `jobs`
 * executor runs at once. Each instance to run is locked (so that concurrent runners wait for, and
 * then reuse, each other's work), run into a temporary directory, checked (every declared output,
 * nothing else), hashed, given its manifest, and renamed into place. A failure keeps every other
 * finished artifact and skips only what depends on the failed instance.
 *
 * @module
 */
import type { Executor } from "./executor.ts";
import { buildDag, type Dag, type DagNode, selectNodes, withUpstream } from "./graph.ts";
import { abbreviateList } from "./_listing.ts";
import { acquireLock, type HeldLock, type LockHolder } from "./lock.ts";
import type { Session } from "./session.ts";
import type { StageInstance } from "./stage.ts";
import type { KeyParts } from "./status.ts";
import type { Manifest } from "./store.ts";
import { isFailure, upstreamFailures } from "./_failures.ts";
import { executeInstance, type ExecutionContext, inStore } from "./_execute_instance.ts";
import { Semaphore } from "./_semaphore.ts";

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
  const run = new PipelineRun(session, options, {
    runSet: new Set(options.only ? selected : withUpstream(dag, selected)),
    forced: new Set(options.force ? selected : []),
  });
  await Promise.all(dag.nodes.filter((n) => run.includes(n)).map((n) => run.resultOf(n)));
  if (!options.dryRun) await removeFailedLatest(session, dag, run.outcomes);
  const hashesUnsaved = await session.hashes.save();
  return { outcomes: inDagOrder(dag, run.outcomes), ms: performance.now() - t0, hashesUnsaved };
}

/** `<stage>/latest` shows this pipeline's artifact or nothing, never another configuration's. */
async function removeFailedLatest(
  session: Session,
  dag: Dag,
  outcomes: ReadonlyMap<string, Outcome>,
): Promise<void> {
  for (const n of dag.nodes) {
    const o = outcomes.get(n.instance.id);
    if (n.instance.id === n.instance.definition.name && o && isFailure(o)) {
      await session.store.removeLatestLink(n.instance.definition.name);
    }
  }
}

function inDagOrder(dag: Dag, outcomes: ReadonlyMap<string, Outcome>): Map<string, Outcome> {
  const ordered = new Map<string, Outcome>();
  for (const n of dag.nodes) {
    const o = outcomes.get(n.instance.id);
    if (o) ordered.set(n.instance.id, o);
  }
  return ordered;
}

/** The upstream manifests an instance can use, and the ids of those that produced none. */
interface UpstreamResults {
  readonly manifests: Map<DagNode, Manifest>;
  readonly missing: string[];
}

/**
 * One run's state: the instances it brings up to date, each one's result (a promise, so that
 * every instance is brought once however many depend on it), the outcomes so far and the slots.
 */
class PipelineRun implements ExecutionContext {
  readonly outcomes = new Map<string, Outcome>();
  readonly executor: Executor;
  readonly reporter: RunReporter;
  readonly #results = new Map<DagNode, Promise<Manifest | null>>();
  readonly #slots: Semaphore;
  readonly #runSet: ReadonlySet<DagNode>;
  readonly #forced: ReadonlySet<DagNode>;

  constructor(
    readonly session: Session,
    readonly options: RunOptions,
    selection: { runSet: ReadonlySet<DagNode>; forced: ReadonlySet<DagNode> },
  ) {
    this.executor = options.executor;
    this.reporter = options.reporter;
    this.#slots = new Semaphore(Math.max(1, options.jobs));
    this.#runSet = selection.runSet;
    this.#forced = selection.forced;
  }

  /** Whether the run brings `node` up to date (else it may only use it when fresh). */
  includes(node: DagNode): boolean {
    return this.#runSet.has(node);
  }

  finish(node: DagNode, outcome: Outcome): void {
    this.outcomes.set(node.instance.id, outcome);
    this.reporter.finished(node.instance.id, outcome);
  }

  /** The node's manifest once it is up to date, or null when it is not (failed, skipped, …). */
  resultOf(node: DagNode): Promise<Manifest | null> {
    let r = this.#results.get(node);
    if (!r) {
      r = this.#bring(node);
      this.#results.set(node, r);
    }
    return r;
  }

  async #bring(node: DagNode): Promise<Manifest | null> {
    const upstream = await this.#upstreamResults(node);
    if (!this.includes(node)) return await this.#freshOutsideRun(node, upstream);
    const failed = upstream.missing.filter((id) => {
      const kind = this.outcomes.get(id)?.kind;
      return kind === "failed" || kind === "skipped";
    });
    const partial = upstream.missing.length > 0 && failed.length === upstream.missing.length &&
      node.instance.definition.partialInputs === true;
    if (upstream.missing.length && !partial) {
      this.#finishBlocked(node, upstream.missing, failed);
      return null;
    }
    try {
      return await this.#evaluateAndProduce(node, upstream.manifests, partial);
    } catch (error) {
      this.finish(node, { kind: "failed", error: (error as Error).message });
      return null;
    }
  }

  async #upstreamResults(node: DagNode): Promise<UpstreamResults> {
    const manifests = new Map<DagNode, Manifest>();
    const missing: string[] = [];
    for (const u of node.upstream) {
      const m = await this.resultOf(u);
      if (m) manifests.set(u, m);
      else missing.push(u.instance.id);
    }
    return { manifests, missing };
  }

  /** Outside the selection: usable only when already fresh. */
  async #freshOutsideRun(node: DagNode, upstream: UpstreamResults): Promise<Manifest | null> {
    if (upstream.missing.length) return null;
    const s = await this.session.evaluator.evaluate(node, upstream.manifests);
    return s.status === "fresh" ? s.manifest : null;
  }

  /** An instance whose inputs are not all there: skipped (or, in a dry run, would run after). */
  #finishBlocked(node: DagNode, missing: string[], failed: string[]): void {
    if (this.options.dryRun && failed.length === 0) {
      this.finish(node, {
        kind: "would-run",
        reasons: [`after upstream: ${abbreviateList(missing)}`],
      });
    } else {
      this.finish(node, {
        kind: "skipped",
        reason: failed.length
          ? `upstream failed: ${abbreviateList(failed)}`
          : `input not fresh: ${abbreviateList(missing)}`,
      });
    }
  }

  async #evaluateAndProduce(
    node: DagNode,
    upstream: Map<DagNode, Manifest>,
    partial: boolean,
  ): Promise<Manifest | null> {
    const failures = partial ? upstreamFailures(node, this.outcomes) : [];
    const state = await this.session.evaluator.evaluate(node, upstream, failures);
    const forced = this.#forced.has(node);
    if (state.status === "fresh" && !forced) {
      this.finish(node, { kind: "fresh" });
      if (!this.options.dryRun) await this.#pointLatest(node, state.manifest.key);
      return state.manifest;
    }
    const reasons = state.status === "fresh" ? ["forced"] : state.reasons;
    if (this.options.dryRun) {
      this.finish(node, { kind: "would-run", reasons });
      return null;
    }
    return await this.#produce(node, state.parts!, upstream, forced);
  }

  /** Produces an instance under its lock, unless another runner produced it meanwhile. */
  async #produce(
    node: DagNode,
    parts: KeyParts,
    upstream: Map<DagNode, Manifest>,
    force: boolean,
  ): Promise<Manifest | null> {
    const def = node.instance.definition;
    const store = this.session.store;
    await inStore(store.root, () => Deno.mkdir(`${store.root}/${def.name}`, { recursive: true }));
    const held = await this.#lockAndSlot(node.instance.id, store.lockPath(def.name, parts.key));
    try {
      this.#noteBrokenLock(node.instance.id, held.lock);
      if (!force || !held.slot) {
        const again = await store.check(
          def.name,
          parts.key,
          node.instance.outputs,
          this.session.hashes,
        );
        if (again.ok) {
          this.finish(node, { kind: "reused", note: "produced by another runner" });
          await this.#pointLatest(node, parts.key);
          return again.manifest;
        }
      }
      if (!held.slot) {
        await this.#slots.acquire();
        held.slot = true;
      }
      return await executeInstance(this, node, parts, upstream);
    } finally {
      await held.lock.release();
      if (held.slot) this.#slots.release();
    }
  }

  /**
   * Slot first, then the lock without waiting: a runner holds locks only on what it is running,
   * so a second runner can take the rest. A busy lock is waited for without a slot.
   */
  async #lockAndSlot(id: string, lockPath: string): Promise<{ lock: HeldLock; slot: boolean }> {
    const root = this.session.store.root;
    await this.#slots.acquire();
    const lock = await inStore(root, () => acquireLock(lockPath, { noWait: true })).catch((e) => {
      this.#slots.release();
      throw e;
    });
    if (lock) return { lock, slot: true };
    this.#slots.release();
    const onWait = (holder: LockHolder | null) => this.reporter.waiting(id, holder);
    return { lock: await inStore(root, () => acquireLock(lockPath, { onWait })), slot: false };
  }

  #noteBrokenLock(id: string, lock: HeldLock): void {
    const h = lock.brokeStale;
    if (h) {
      this.reporter.notice(`${id}: broke a stale lock of pid ${h.pid} on ${h.hostname} (it died)`);
    }
  }

  /** Points an instance's latest pointers at its current artifact (best effort: read-only). */
  #pointLatest(node: DagNode, key: string): Promise<void> {
    return this.session.store.ensureLatest(node.instance.definition.name, node.instance.id, key);
  }
}
