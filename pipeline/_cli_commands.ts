/**
 * The commands of the command line that work on an artifact store: `status`, `verify`, `gc` and
 * `run`. Each writes its lines through `out` and resolves to the exit code.
 *
 * @module
 */
import type { CliEnvironment } from "./cli.ts";
import type { ParsedArgs } from "./_cli_args.ts";
import { SubprocessExecutor } from "./executor.ts";
import { type Dag, type DagNode, selectNodes } from "./graph.ts";
import { groupedLines, LIST_LIMIT, type ListedLine } from "./_listing.ts";
import { collectGarbage, verifyArtifacts } from "./maintenance.ts";
import { ConsoleReporter, SILENT_REPORTER } from "./progress.ts";
import { runPipeline } from "./run.ts";
import { evaluateAll, type Session } from "./session.ts";
import type { NodeState } from "./status.ts";
import type { StageInstance } from "./stage.ts";
import { inProgressNotes, slurmExecutorFor } from "./slurm/mod.ts";

/** A pipeline built from its definition: the instances and their DAG. */
export interface BuiltPipeline {
  readonly instances: readonly StageInstance[];
  readonly dag: Dag;
}

/** Runs a command that needs the store; resolves to the exit code. */
export async function storeCommand(
  session: Session,
  pipeline: BuiltPipeline,
  parsed: ParsedArgs & { command: "status" | "verify" | "gc" | "run" },
  env: CliEnvironment,
  out: (line: string) => void,
): Promise<number> {
  switch (parsed.command) {
    case "status":
      return await statusCommand(session, pipeline.dag, parsed, out);
    case "verify":
      return await verifyCommand(session, out);
    case "gc":
      return await gcCommand(session, pipeline.dag, parsed.dryRun, out);
    case "run":
      return await runCommand(session, pipeline.instances, parsed, env);
  }
}

/** `status`: each chosen instance fresh / stale / missing and why, then the counts. */
async function statusCommand(
  session: Session,
  dag: Dag,
  parsed: ParsedArgs,
  out: (line: string) => void,
): Promise<number> {
  const states = await evaluateAll(session, dag);
  const chosen = new Set(selectNodes(dag, { targets: parsed.targets }));
  const busy = await inProgressNotes(session.store, inProduction(states));
  statusLines(states, chosen, parsed.verbose, busy).forEach((line) => out(line));
  noteUnsaved(await session.hashes.save(), parsed.verbose);
  return 0;
}

/** `verify`: re-hashes every artifact; exit code 1 when one was corrupt. */
async function verifyCommand(session: Session, out: (line: string) => void): Promise<number> {
  const results = await verifyArtifacts(session);
  const bad = results.filter((r) => r.problem);
  for (const r of bad) {
    const fate = r.kept ? `kept: cannot remove it, ${r.kept}` : "removed";
    out(`corrupt ${r.stage}/${r.key}: ${r.problem} (${fate})`);
  }
  out(`${results.length - bad.length} intact, ${bad.length} corrupt`);
  return bad.length ? 1 : 0;
}

/** `gc`: on a store that cannot be written, only a collection with nothing to remove succeeds. */
async function gcCommand(
  session: Session,
  dag: Dag,
  dryRun: boolean,
  out: (line: string) => void,
): Promise<number> {
  const why = dryRun ? null : await session.store.unwritable();
  const result = await collectGarbage(session, dag, dryRun || why !== null);
  if (why && result.removed.length) throw unwritableStore(session, why, "clean");
  const verb = dryRun ? "would remove" : "removed";
  for (const r of result.removed) out(`${verb} ${r}`);
  out(`${verb} ${result.removed.length}, kept ${result.kept}`);
  return 0;
}

/** `run`: on a store that cannot be written, only a run with nothing to do succeeds. */
async function runCommand(
  session: Session,
  instances: readonly StageInstance[],
  parsed: ParsedArgs,
  env: CliEnvironment,
): Promise<number> {
  const reporter = env.reporter ??
    new ConsoleReporter(Deno.stderr, Deno.stderr.isTerminal(), !parsed.quiet, parsed.verbose);
  const why = parsed.dryRun ? null : await session.store.unwritable();
  const dryRun = parsed.dryRun || why !== null;
  const slurm = parsed.executor === "slurm"
    ? slurmExecutorFor(instances, parsed.slurm, (m) => reporter.notice(m))
    : null;
  if (slurm && !dryRun) await slurm.checkReachable();
  const unwatch = slurm && !dryRun ? slurm.handleSignals() : () => {};
  let summary;
  try {
    summary = await runPipeline(session, instances, {
      targets: parsed.from.length ? parsed.from : parsed.targets,
      downstream: parsed.from.length > 0,
      only: parsed.only,
      force: parsed.force,
      dryRun,
      jobs: parsed.jobs,
      executor: env.executor ?? slurm ?? new SubprocessExecutor(),
      reporter: why === null ? reporter : SILENT_REPORTER,
    });
    if (slurm && !dryRun && !slurm.interruptedBy) await slurm.cancelOrphans(session.store.root);
  } finally {
    unwatch();
  }
  const work = [...summary.outcomes.values()].filter((o) => o.kind === "would-run").length;
  if (why !== null && work > 0) throw unwritableStore(session, why, `run ${work} instance(s)`);
  reporter.summary(summary);
  noteUnsaved(summary.hashesUnsaved, parsed.verbose);
  if (slurm?.interruptedBy) return slurm.interruptedBy === "SIGINT" ? 130 : 143;
  const failed = [...summary.outcomes.values()].some((o) =>
    o.kind === "failed" || o.kind === "skipped"
  );
  return failed ? 1 : 0;
}

function unwritableStore(session: Session, why: string, what: string): Error {
  return new Error(
    `cannot ${what}: the artifact store ${session.store.root} cannot be written (${why})`,
  );
}

/** With --verbose, says that the hash cache (an optimisation only) could not be saved. */
function noteUnsaved(why: string | null | undefined, verbose: boolean): void {
  if (why && verbose) console.error(`pipeline: note: hash cache not saved (${why})`);
}

/** The instances that are not fresh but whose key is known: those a run may be producing. */
function inProduction(states: Map<DagNode, NodeState>) {
  return [...states].flatMap(([n, s]) =>
    s.status !== "fresh" && s.parts
      ? [{ id: n.instance.id, stage: n.instance.definition.name, key: s.parts.key }]
      : []
  );
}

/** Status lines (grouped by stage when many), then the counts; `busy`: notes of work going on. */
function statusLines(
  states: Map<DagNode, NodeState>,
  chosen: Set<DagNode>,
  verbose: boolean,
  busy: ReadonlyMap<string, string>,
): string[] {
  const counts = { fresh: 0, stale: 0, missing: 0 };
  const lines: ListedLine[] = [];
  for (const [node, s] of states) {
    if (!chosen.has(node)) continue;
    counts[s.status]++;
    const note = busy.get(node.instance.id);
    const why = s.status === "fresh"
      ? ""
      : `: ${[...s.reasons, ...(note ? [note] : [])].join("; ")}`;
    const text = `${s.status.padEnd(8)}${node.instance.id}${why}`;
    lines.push({ stage: node.instance.definition.name, group: s.status, text });
  }
  const total = `${counts.fresh} fresh, ${counts.stale} stale, ${counts.missing} missing`;
  if (verbose || lines.length <= LIST_LIMIT) return [...lines.map((l) => l.text), total];
  return [...summarisedStatusLines(lines), `${total} (--verbose lists every instance)`];
}

/** Many status lines: counts per stage, then the instances that are not fresh (a few of each). */
function summarisedStatusLines(lines: ListedLine[]): string[] {
  const perStage = new Map<string, Record<string, number>>();
  for (const l of lines) {
    const c = perStage.get(l.stage) ?? { fresh: 0, stale: 0, missing: 0 };
    c[l.group]++;
    perStage.set(l.stage, c);
  }
  const width = Math.max(...[...perStage.keys()].map((k) => k.length)) + 2;
  return [
    ...[...perStage].map(([stage, c]) =>
      `${stage.padEnd(width)}${c.fresh} fresh, ${c.stale} stale, ${c.missing} missing`
    ),
    ...groupedLines(lines.filter((l) => l.group !== "fresh"), false),
  ];
}
