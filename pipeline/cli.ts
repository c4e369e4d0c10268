/**
 * The command line of the engine: `runCli(args, definition)` parses the arguments, builds the
 * pipeline from its definition and runs a command. It returns the exit code: 0 success, 1 a stage
 * failed (or verify found corruption), 2 a usage or definition error.
 *
 * @module
 */
import { type Executor, SubprocessExecutor } from "./executor.ts";
import { buildDag, dagMermaid, type DagNode, dagText, selectNodes } from "./graph.ts";
import { groupedLines, LIST_LIMIT, type ListedLine } from "./_listing.ts";
import { collectGarbage, verifyArtifacts } from "./maintenance.ts";
import { ConsoleReporter } from "./progress.ts";
import { runPipeline, type RunReporter } from "./run.ts";
import { evaluateAll, openSession, type Session } from "./session.ts";
import type { NodeState } from "./status.ts";
import type { StageInstance } from "./stage.ts";
import {
  EXECUTOR_HELP,
  inProgressNotes,
  noSlurmOptions,
  type SlurmCliOptions,
  slurmExecutorFor,
  takeSlurmOption,
} from "./slurm/mod.ts";

/** Options a pipeline definition function receives from the command line. */
export interface PipelineOptions {
  /** `--profile NAME`. */
  readonly profile?: string;
  /** `--config FILE`: a user file of parameter overrides. */
  readonly config?: string;
  /** The definition's own `--NAME VALUE` options (see CliEnvironment.definitionOptions). */
  readonly extra: Readonly<Record<string, string>>;
}

/** A pipeline: a list of instances, or a function of the command-line options returning one. */
export type PipelineDefinition =
  | readonly StageInstance[]
  | ((options: PipelineOptions) => readonly StageInstance[] | Promise<readonly StageInstance[]>);

/** Where the CLI works and writes; defaults suit `deno task pipeline`. */
export interface CliEnvironment {
  /** The project root (default: the working directory). */
  readonly projectRoot?: string;
  readonly executor?: Executor;
  /** Text output (default: stdout). */
  readonly out?: (line: string) => void;
  /** Progress output (default: stderr; live lines when it is a terminal). */
  readonly reporter?: ConsoleReporter;
  /** Names of extra `--NAME VALUE` options the definition accepts (e.g. "backend"). */
  readonly definitionOptions?: readonly string[];
}

/** The `--help` text, listing the definition's own options too. */
export function helpText(definitionOptions: readonly string[] = []): string {
  const own = definitionOptions.map((o) =>
    `\n  --${o} VALUE`.padEnd(19) + "passed to the pipeline definition"
  );
  return HELP + own.join("");
}

/**
 * The most concurrent jobs: each is a subprocess the runner supervises through three pipes, so a
 * few thousand would exhaust the usual limit of 1024 open files long before the machine's cores.
 */
const MAX_JOBS = 256;

/** `--jobs` with `--executor slurm` when not given: the cluster queues what it cannot run yet. */
const SLURM_DEFAULT_JOBS = 100;

const HELP = `usage: pipeline [COMMAND] [TARGET...] [OPTIONS]

commands:
  run (default)   bring the targets (default: everything) up to date, in dependency order
  status          each instance fresh / stale / missing, and why
  dag             the DAG as text (--mermaid: as a Mermaid flowchart)
  verify          re-hash every artifact from scratch; remove and report corrupt ones
  gc              remove artifacts no current instance references (--dry-run: only list)

targets: a stage name (all its instances) or an instance id such as "train[n=100,seed=0]".
  A target runs with whatever it needs upstream, unless --only.

options:
  --from TARGET   select TARGET and everything downstream of it (repeatable)
  --only          do not run upstream instances; they must already be fresh
  --force         rerun the selected instances even when fresh
  --dry-run       say what would run (run) or be removed (gc), change nothing
  --jobs N        run up to N stages at once (1..${MAX_JOBS}; default: the cores,
                  ${navigator.hardwareConcurrency}; ${SLURM_DEFAULT_JOBS} with --executor slurm)
  --artifacts DIR the artifact store (default: artifacts/)
  --profile NAME  passed to the pipeline definition (e.g. ci, quick, paper)
  --config FILE   passed to the pipeline definition (parameter overrides)
  --quiet         do not echo stage log lines
  -v, --verbose   list every instance (long lists are otherwise summarised) and print stack
                  traces of failures
  --mermaid       with dag: print Mermaid${EXECUTOR_HELP}
  -h, --help      this text`;

interface ParsedArgs {
  command: "run" | "status" | "dag" | "verify" | "gc";
  targets: string[];
  from: string[];
  only: boolean;
  force: boolean;
  dryRun: boolean;
  jobs: number;
  artifacts: string | null;
  profile?: string;
  config?: string;
  extra: Record<string, string>;
  quiet: boolean;
  mermaid: boolean;
  verbose: boolean;
  help: boolean;
  executor: "local" | "slurm";
  slurm: SlurmCliOptions;
}

const COMMANDS = ["run", "status", "dag", "verify", "gc"] as const;

/** A whole number option within [min, max], written as plain digits. */
function integerOption(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new Error(`${flag}: must be an integer in ${min}..${max}, got "${text}"`);
  }
  return n;
}

/** A command word after options or targets: the error says the order that works. */
function misplacedCommand(word: string, args: readonly string[]): Error {
  if (args[0] !== undefined && (COMMANDS as readonly string[]).includes(args[0])) {
    return new Error(
      `"${word}" is a command, and "${args[0]}" was already given: give one command, first`,
    );
  }
  const rest = [...args];
  rest.splice(rest.indexOf(word), 1);
  return new Error(
    `"${word}" is a command and must come first: pipeline ${[word, ...rest].join(" ")}`,
  );
}

/** Parses command-line arguments; throws with a message naming a bad option or value. */
export function parseArgs(
  args: readonly string[],
  definitionOptions: readonly string[] = [],
): ParsedArgs {
  const p: ParsedArgs = {
    command: "run",
    targets: [],
    from: [],
    only: false,
    force: false,
    dryRun: false,
    jobs: navigator.hardwareConcurrency,
    artifacts: null,
    extra: {},
    quiet: false,
    mermaid: false,
    verbose: false,
    help: false,
    executor: "local",
    slurm: noSlurmOptions(),
  };
  let jobsGiven = false;
  const rest = [...args];
  if (rest.length && (COMMANDS as readonly string[]).includes(rest[0])) {
    p.command = rest.shift() as ParsedArgs["command"];
  }
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  while (rest.length) {
    const a = rest.shift()!;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      rest.unshift(a.slice(0, eq), a.slice(eq + 1));
      continue;
    }
    switch (a) {
      case "-h":
      case "--help":
        p.help = true;
        break;
      case "--from":
        p.from.push(value(a));
        break;
      case "--only":
        p.only = true;
        break;
      case "--force":
        p.force = true;
        break;
      case "--dry-run":
        p.dryRun = true;
        break;
      case "--quiet":
        p.quiet = true;
        break;
      case "--mermaid":
        p.mermaid = true;
        break;
      case "--jobs":
        p.jobs = integerOption(a, value(a), 1, MAX_JOBS);
        jobsGiven = true;
        break;
      case "-v":
      case "--verbose":
        p.verbose = true;
        break;
      case "--artifacts":
        p.artifacts = value(a);
        break;
      case "--profile":
        p.profile = value(a);
        break;
      case "--config":
        p.config = value(a);
        break;
      case "--executor": {
        const v = value(a);
        if (v !== "local" && v !== "slurm") {
          throw new Error(`--executor: must be local or slurm, got "${v}"`);
        }
        p.executor = v;
        break;
      }
      default:
        if (takeSlurmOption(a, value, (flag) => rest.shift() ?? value(flag), p.slurm)) break;
        if (definitionOptions.includes(a.slice(2)) && a.startsWith("--")) {
          p.extra[a.slice(2)] = value(a);
          break;
        }
        if (a.startsWith("-")) throw new Error(`unknown option ${a} (see --help)`);
        if ((COMMANDS as readonly string[]).includes(a)) throw misplacedCommand(a, args);
        p.targets.push(a);
    }
  }
  if (p.from.length && p.targets.length) {
    throw new Error("give targets either plainly or with --from, not both");
  }
  if (p.slurm.given.length && p.executor !== "slurm") {
    throw new Error(`${p.slurm.given[0]} needs --executor slurm`);
  }
  if (p.executor === "slurm" && !jobsGiven) p.jobs = SLURM_DEFAULT_JOBS;
  return p;
}

/** Runs the command line against a pipeline definition; resolves to the exit code. */
export async function runCli(
  args: readonly string[],
  definition: PipelineDefinition,
  env: CliEnvironment = {},
): Promise<number> {
  const out = env.out ?? ((line: string) => console.log(line));
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args, env.definitionOptions);
  } catch (error) {
    return fail(error, args.includes("--verbose") || args.includes("-v"));
  }
  if (parsed.help) {
    out(helpText(env.definitionOptions));
    return 0;
  }
  const projectRoot = env.projectRoot ?? Deno.cwd();
  const artifacts = parsed.artifacts
    ? (parsed.artifacts.startsWith("/") ? parsed.artifacts : `${projectRoot}/${parsed.artifacts}`)
    : `${projectRoot}/artifacts`;
  let instances: readonly StageInstance[];
  let dag;
  try {
    instances = typeof definition === "function"
      ? await definition({ profile: parsed.profile, config: parsed.config, extra: parsed.extra })
      : definition;
    dag = buildDag(instances);
    selectNodes(dag, { targets: [...parsed.targets, ...parsed.from] });
  } catch (error) {
    return fail(error, parsed.verbose);
  }
  if (parsed.command === "dag") {
    out(parsed.mermaid ? dagMermaid(dag) : dagText(dag, parsed.verbose));
    return 0;
  }
  try {
    const session = await openSession(projectRoot, artifacts);
    switch (parsed.command) {
      case "status": {
        const states = await evaluateAll(session, dag);
        const chosen = new Set(selectNodes(dag, { targets: parsed.targets }));
        const busy = await inProgressNotes(session.store, inProduction(states));
        statusLines(states, chosen, parsed.verbose, busy).forEach((line) => out(line));
        noteUnsaved(await session.hashes.save(), parsed.verbose);
        return 0;
      }
      case "verify": {
        const results = await verifyArtifacts(session);
        const bad = results.filter((r) => r.problem);
        for (const r of bad) {
          const fate = r.kept ? `kept: cannot remove it, ${r.kept}` : "removed";
          out(`corrupt ${r.stage}/${r.key}: ${r.problem} (${fate})`);
        }
        out(`${results.length - bad.length} intact, ${bad.length} corrupt`);
        return bad.length ? 1 : 0;
      }
      case "gc": {
        const why = parsed.dryRun ? null : await session.store.unwritable();
        const result = await collectGarbage(session, dag, parsed.dryRun || why !== null);
        if (why && result.removed.length) throw unwritableStore(session, why, "clean");
        const verb = parsed.dryRun ? "would remove" : "removed";
        for (const r of result.removed) out(`${verb} ${r}`);
        out(`${verb} ${result.removed.length}, kept ${result.kept}`);
        return 0;
      }
      case "run":
        return await runCommand(session, instances, parsed, env);
    }
  } catch (error) {
    return fail(error, parsed.verbose);
  }
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
      reporter: why === null ? reporter : new SilentReporter(),
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

/** One line naming what went wrong (the stack too with --verbose); the exit code 2. */
function fail(error: unknown, verbose: boolean): number {
  const e = error as Error;
  console.error(`pipeline: ${e?.message ?? String(error)}`);
  if (verbose && e?.stack) console.error(e.stack);
  return 2;
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
  // Many: counts per stage, then the instances that are not fresh (the first few of each group).
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
    `${total} (--verbose lists every instance)`,
  ];
}

/** Receives a run's events and shows none (the read-only check's dry run). */
class SilentReporter implements RunReporter {
  started() {}
  progress() {}
  log() {}
  waiting() {}
  notice() {}
  finished() {}
}
