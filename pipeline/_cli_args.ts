/**
 * The command line's words: the `--help` text and the parser that turns arguments into a command,
 * its targets and its options, refusing a bad option or value with a message that names it.
 *
 * @module
 */
import {
  EXECUTOR_HELP,
  noSlurmOptions,
  type SlurmCliOptions,
  takeSlurmOption,
} from "./slurm/mod.ts";

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

/** The `--help` text, listing the definition's own options too. */
export function helpText(definitionOptions: readonly string[] = []): string {
  const own = definitionOptions.map((o) =>
    `\n  --${o} VALUE`.padEnd(19) + "passed to the pipeline definition"
  );
  return HELP + own.join("");
}

const COMMANDS = ["run", "status", "dag", "verify", "gc"] as const;

/** A command line, parsed. */
export interface ParsedArgs {
  command: typeof COMMANDS[number];
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

/** The options that take no value, and the field each sets. */
const SWITCHES: Readonly<
  Record<string, "help" | "only" | "force" | "dryRun" | "quiet" | "mermaid" | "verbose">
> = {
  "-h": "help",
  "--help": "help",
  "--only": "only",
  "--force": "force",
  "--dry-run": "dryRun",
  "--quiet": "quiet",
  "--mermaid": "mermaid",
  "-v": "verbose",
  "--verbose": "verbose",
};

const isCommand = (word: string | undefined): word is ParsedArgs["command"] =>
  word !== undefined && (COMMANDS as readonly string[]).includes(word);

/** Parses command-line arguments; throws with a message naming a bad option or value. */
export function parseArgs(
  args: readonly string[],
  definitionOptions: readonly string[] = [],
): ParsedArgs {
  return new ArgumentParser(args, definitionOptions).parse();
}

/** One pass over the arguments: each is taken off the front, with its value if it has one. */
class ArgumentParser {
  readonly #parsed: ParsedArgs = {
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
  readonly #rest: string[];
  #jobsGiven = false;

  constructor(readonly args: readonly string[], readonly definitionOptions: readonly string[]) {
    this.#rest = [...args];
  }

  parse(): ParsedArgs {
    const p = this.#parsed;
    if (isCommand(this.#rest[0])) p.command = this.#rest.shift() as ParsedArgs["command"];
    while (this.#rest.length) {
      const a = this.#rest.shift()!;
      const eq = a.indexOf("=");
      if (a.startsWith("--") && eq > 0) this.#rest.unshift(a.slice(0, eq), a.slice(eq + 1));
      else if (Object.hasOwn(SWITCHES, a)) p[SWITCHES[a]] = true;
      else if (!this.#valueOption(a)) this.#otherWord(a);
    }
    if (p.from.length && p.targets.length) {
      throw new Error("give targets either plainly or with --from, not both");
    }
    if (p.slurm.given.length && p.executor !== "slurm") {
      throw new Error(`${p.slurm.given[0]} needs --executor slurm`);
    }
    if (p.executor === "slurm" && !this.#jobsGiven) p.jobs = SLURM_DEFAULT_JOBS;
    return p;
  }

  /** The next argument as an option's value, refusing another option. */
  readonly #value = (flag: string): string => {
    const v = this.#rest.shift();
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };

  /** Takes an option of the engine's own that has a value; false when `a` is not one. */
  #valueOption(a: string): boolean {
    const p = this.#parsed;
    switch (a) {
      case "--from":
        p.from.push(this.#value(a));
        return true;
      case "--jobs":
        p.jobs = integerOption(a, this.#value(a), 1, MAX_JOBS);
        this.#jobsGiven = true;
        return true;
      case "--artifacts":
        p.artifacts = this.#value(a);
        return true;
      case "--profile":
        p.profile = this.#value(a);
        return true;
      case "--config":
        p.config = this.#value(a);
        return true;
      case "--executor": {
        const v = this.#value(a);
        if (v !== "local" && v !== "slurm") {
          throw new Error(`--executor: must be local or slurm, got "${v}"`);
        }
        p.executor = v;
        return true;
      }
      default:
        return false;
    }
  }

  /** A SLURM option, one of the definition's, or a target; anything else is an error. */
  #otherWord(a: string): void {
    const p = this.#parsed;
    const raw = (flag: string) => this.#rest.shift() ?? this.#value(flag);
    if (takeSlurmOption(a, this.#value, raw, p.slurm)) return;
    if (this.definitionOptions.includes(a.slice(2)) && a.startsWith("--")) {
      p.extra[a.slice(2)] = this.#value(a);
      return;
    }
    if (a.startsWith("-")) throw new Error(`unknown option ${a} (see --help)`);
    if (isCommand(a)) throw misplacedCommand(a, this.args);
    p.targets.push(a);
  }
}

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
  if (isCommand(args[0])) {
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
