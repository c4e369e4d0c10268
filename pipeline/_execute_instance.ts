/**
 * One instance's execution, once the runner holds its lock and a slot: the job is run into a
 * temporary directory (its log beside the store's other logs), the directory is checked (every
 * declared output, nothing else) and hashed, given its manifest, and renamed into place. A failure
 * removes the temporary directory and ends the instance with one line naming its log.
 *
 * @module
 */
import type { StageEvents, StageJob } from "./context.ts";
import type { Executor } from "./executor.ts";
import type { DagNode } from "./graph.ts";
import { hashFile } from "./hash.ts";
import type { Outcome, RunReporter } from "./run.ts";
import type { Session } from "./session.ts";
import type { InputArtifact } from "./stage.ts";
import type { KeyParts } from "./status.ts";
import {
  type ArtifactStore,
  type Manifest,
  manifestSelfHash,
  osReason,
  type OutputRecord,
  outputsContentHash,
} from "./store.ts";

/** What executing an instance needs from the run it belongs to. */
export interface ExecutionContext {
  readonly session: Session;
  readonly executor: Executor;
  readonly reporter: RunReporter;
  /** Records and reports how an instance ended. */
  finish(node: DagNode, outcome: Outcome): void;
}

/** A write to the store: its failure names the store and the OS's reason, in one line. */
export async function inStore<T>(root: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw new Error(`cannot write the artifact store ${root}: ${osReason(error)}`);
  }
}

/**
 * Runs one instance and commits its artifact; resolves to its manifest, or to null after a
 * failure (already finished as failed). Throws only when the store cannot be prepared.
 */
export async function executeInstance(
  ctx: ExecutionContext,
  node: DagNode,
  parts: KeyParts,
  upstream: Map<DagNode, Manifest>,
): Promise<Manifest | null> {
  const inst = node.instance;
  const store = ctx.session.store;
  const stage = inst.definition.name;
  const outDir = await inStore(store.root, () => store.makeTempDir(stage, parts.key));
  const workDir = store.workDir(stage, parts.key);
  const logPath = store.logPath(stage, parts.key);
  using log = await openStageLog(store.root, workDir, logPath);
  const recorded: Record<string, unknown> = {};
  const events = stageEvents(ctx.reporter, inst.id, log, recorded);
  const job = stageJob(ctx.session, node, parts, upstream, { outDir, workDir });
  ctx.reporter.started(inst.id);
  const startedAt = new Date();
  const t = performance.now();
  try {
    const execution = await ctx.executor.run(job, events);
    const outputs = await checkAndHashOutputs(outDir, inst.outputs);
    const durationMs = performance.now() - t;
    const manifest = manifestOf(node, parts, {
      outputs,
      recorded,
      git: await ctx.session.gitRevision(),
      startedAt,
      durationMs,
      execution,
    });
    await commitArtifact(store, node, parts.key, { outDir, workDir }, manifest);
    ctx.finish(node, { kind: "ran", ms: durationMs });
    return manifest;
  } catch (error) {
    await Deno.remove(outDir, { recursive: true }).catch(() => {});
    ctx.finish(node, failedOutcome(error, logPath, log));
    return null;
  }
}

/** An instance's log file, written line by line. */
class StageLog implements Disposable {
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Appends a line (best effort). */
  line(text: string): void {
    try {
      this.#file.writeSync(this.#encoder.encode(text + "\n"));
    } catch { /* a full disk must not hide the stage's own error behind the log's */ }
  }

  [Symbol.dispose](): void {
    this.#file[Symbol.dispose]();
  }
}

/** Creates the instance's work directory and its (truncated) log. */
async function openStageLog(root: string, workDir: string, logPath: string): Promise<StageLog> {
  return await inStore(root, async () => {
    await Deno.mkdir(workDir, { recursive: true });
    await Deno.mkdir(logPath.slice(0, logPath.lastIndexOf("/")), { recursive: true });
    return new StageLog(await Deno.open(logPath, { write: true, create: true, truncate: true }));
  });
}

/** The stage's events: progress to the reporter, log lines to the log and the reporter. */
function stageEvents(
  reporter: RunReporter,
  id: string,
  log: StageLog,
  recorded: Record<string, unknown>,
): StageEvents {
  return {
    progress: (done, total, note) => reporter.progress(id, done, total, note),
    log: (line) => {
      log.line(line);
      reporter.log(id, line);
    },
    record: (fields) => Object.assign(recorded, fields),
  };
}

/** What the executor runs: the stage, its parameters, inputs and directories. */
function stageJob(
  session: Session,
  node: DagNode,
  parts: KeyParts,
  upstream: Map<DagNode, Manifest>,
  dirs: { outDir: string; workDir: string },
): StageJob {
  const inst = node.instance;
  return {
    module: inst.definition.module,
    stage: inst.definition.name,
    instanceId: inst.id,
    params: { ...inst.params },
    inputs: jobInputs(node, upstream, session),
    outDir: dirs.outDir,
    workDir: dirs.workDir,
    outputs: inst.outputs,
    projectRoot: session.projectRoot,
    failures: parts.failures,
  };
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
async function checkAndHashOutputs(
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

/** What a finished execution contributes to its manifest. */
interface ExecutionRecord {
  outputs: Record<string, OutputRecord>;
  recorded: Record<string, unknown>;
  git: Manifest["git"];
  startedAt: Date;
  durationMs: number;
  /** Where the executor ran the job, when it says. */
  execution: Record<string, unknown> | void;
}

/** The artifact's manifest, self-hashed. */
function manifestOf(node: DagNode, parts: KeyParts, r: ExecutionRecord): Manifest {
  const inst = node.instance;
  const written: Omit<Manifest, "manifestHash"> = {
    version: 2,
    stage: inst.definition.name,
    instance: inst.id,
    key: parts.key,
    params: { ...inst.params },
    code: parts.code,
    inputs: parts.inputs,
    outputs: r.outputs,
    contentHash: outputsContentHash(r.outputs),
    recorded: r.recorded,
    deno: { ...Deno.version },
    git: r.git,
    host: Deno.hostname(),
    startedAt: r.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(r.durationMs),
    ...(parts.failures?.length ? { failures: parts.failures } : {}),
    ...(r.execution ? { executor: r.execution } : {}),
  };
  return { ...written, manifestHash: manifestSelfHash(written) };
}

/** Writes the manifest, renames the directory into place, points `latest` at it. */
async function commitArtifact(
  store: ArtifactStore,
  node: DagNode,
  key: string,
  dirs: { outDir: string; workDir: string },
  manifest: Manifest,
): Promise<void> {
  const stage = node.instance.definition.name;
  const manifestText = JSON.stringify(manifest, null, 2) + "\n";
  await Deno.writeTextFile(`${dirs.outDir}/manifest.json`, manifestText);
  await store.commit(dirs.outDir, stage, key);
  await store.setLatest(stage, node.instance.id, key);
  await Deno.remove(dirs.workDir, { recursive: true }).catch(() => {});
}

/** A failed execution: its first line and the log's path; the rest (and the stack) in the log. */
function failedOutcome(error: unknown, logPath: string, log: StageLog): Outcome {
  const e = error as Error & { detail?: string };
  const [first, ...more] = String(e?.message ?? error).split("\n");
  const detail = [...more, e?.detail ?? e?.stack ?? ""].filter((l) => l).join("\n");
  if (detail) log.line(detail);
  return { kind: "failed", error: `${first} (log: ${logPath})`, detail };
}
