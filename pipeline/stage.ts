/**
 * Stage definitions and stage instances.
 *
 * A stage is a plain TypeScript function with declared parameters, inputs and outputs, defined in
 * a module that a worker subprocess can import by URL. An instance is the stage with concrete,
 * validated parameters; a sweep is the list of instances over a matrix of parameters. A pipeline is
 * just a list of instances, built with ordinary code (from a profile, a config file, …). An
 * example of a whole pipeline is in mod.ts.
 *
 * @module
 */
import { canonicalJson } from "./hash.ts";
import { type ParamSchema, type ParamsInput, type ParamsOf, validateParams } from "./params.ts";
import { type StageResources, validateResources } from "./resources.ts";

/** One input artifact as a running stage sees it. */
export interface InputArtifact {
  /** The producing stage's name, or null for an external file or directory. */
  readonly stage: string | null;
  /** The producing instance's parameters ({} for an external input). */
  readonly params: Record<string, unknown>;
  /** The artifact directory (stage input) or the file/directory itself (external input). */
  readonly path: string;
}

/** What a stage's `run` function is given. */
export interface StageContext<P> {
  /** The validated parameters. */
  readonly params: P;
  /** Every input by name: one artifact, or a list for an input declared as a list of instances. */
  readonly inputs: Readonly<Record<string, InputArtifact | readonly InputArtifact[]>>;
  /** The path of a single input (artifact directory or external path); throws for a list input. */
  input(name: string): string;
  /** The artifacts of a list input (e.g. every instance of a sweep), in declaration order. */
  inputList(name: string): readonly InputArtifact[];
  /** The (temporary) output directory; renamed into place only when the stage succeeds. */
  readonly outDir: string;
  /**
   * A directory that survives a failed or killed attempt of this same cache key and is removed
   * after success: the place for checkpoints that let a killed run resume.
   */
  readonly workDir: string;
  /** The path of a declared output file inside outDir; throws for an undeclared name. */
  output(name: string): string;
  /** Reports progress: `done` of `total` units, with an optional note. */
  progress(done: number, total: number, note?: string): void;
  /** A log line, kept in the stage's log and shown by the runner. */
  log(message: string): void;
  /** Adds fields to the artifact's manifest (e.g. backend, seed). */
  record(fields: Record<string, unknown>): void;
  /**
   * For a stage declared with `partialInputs`: every upstream instance (direct or not) that failed
   * or was skipped in this run, with the reason; its artifacts are left out of `inputs`. Empty
   * otherwise.
   */
  readonly failures: readonly UpstreamFailure[];
}

/** An upstream instance that did not produce its artifact in this run, and why. */
export interface UpstreamFailure {
  readonly id: string;
  readonly outcome: "failed" | "skipped";
  /** The error (one line) or the skip reason. */
  readonly reason: string;
}

/** An external file or directory of the project, tracked by the hash of its contents. */
export interface ExternalInput {
  readonly kind: "external";
  readonly path: string;
}

/**
 * A reference to other stages' instances by stage name, so that a stage's module need not import
 * the upstream stage's module (which would put the upstream's code into its code fingerprint and
 * defeat early cutoff after an upstream code change).
 */
export type StageRef =
  | { readonly kind: "ref"; readonly stage: string; readonly idParams: Record<string, unknown> }
  | { readonly kind: "all"; readonly stage: string; readonly where: Record<string, unknown> };

/**
 * What an input name refers to: one instance, a list of instances, a reference by name (one
 * instance, or all instances of a stage), or an external path.
 */
export type InputRef = StageInstance | readonly StageInstance[] | StageRef | ExternalInput;

/** The declaration given to defineStage. */
export interface StageSpec<S extends ParamSchema> {
  /** Unique stage name: letters, digits, `_` and `-`; also the folder under artifacts/. */
  readonly name: string;
  /** The URL of the module that exports this stage: always `import.meta.url`. */
  readonly module: string;
  /** The parameter schema. */
  readonly params: S;
  /** The inputs of an instance, as a function of its parameters. */
  readonly inputs?: (params: ParamsOf<S>) => Record<string, InputRef>;
  /** The declared output files, relative to the output directory. */
  /**
   * The declared output files, relative to the output directory; a function of the parameters
   * when they vary with them (e.g. optional arrays of a dataset).
   */
  readonly outputs: readonly string[] | ((params: ParamsOf<S>) => readonly string[]);
  /**
   * Run even when some upstream instances failed in this run (a report of what finished): their
   * artifacts are left out of the inputs and listed, with the reasons, in `ctx.failures`, which
   * are part of the cache key. Without it (the default) a failed upstream skips the stage.
   */
  readonly partialInputs?: boolean;
  /** The work: reads inputs, writes every declared output and nothing else. */
  readonly run: (ctx: StageContext<ParamsOf<S>>) => Promise<void> | void;
  /** What one instance needs from a batch system; the engine's defaults fill the rest. */
  readonly resources?: Partial<StageResources>;
}

/** A defined stage: its declaration plus constructors of instances. */
export interface StageDefinition<S extends ParamSchema = ParamSchema> extends StageSpec<S> {
  readonly kind: "stage";
  /**
   * One instance with the given parameters (defaults filled in, validated now). Its id is the
   * stage name plus the values of `idParams`: the parameters that tell it apart from other
   * instances of the same stage. Other parameters may change while the id stays, so that
   * `status` can say "param lr changed 0.01 → 0.02" of the same instance.
   */
  with(params: ParamsInput<S>, idParams?: readonly (keyof S & string)[]): StageInstance;
  /**
   * One instance per combination of the matrix's values, each merged over `base`; the matrix's
   * keys make the ids (`train[n=100,seed=0]`).
   */
  sweep(
    matrix: { [K in keyof S]?: readonly ParamsOf<S>[K][] },
    base?: ParamsInput<S>,
  ): StageInstance[];
}

/** A stage with concrete, validated parameters: the unit that is cached and run. */
export interface StageInstance {
  readonly kind: "instance";
  // deno-lint-ignore no-explicit-any
  readonly definition: StageDefinition<any>;
  readonly params: Readonly<Record<string, unknown>>;
  /** The declared output files of this instance. */
  readonly outputs: readonly string[];
  /** `name`, or `name[k=v,…]` over its identifying parameters (sorted): unique in a pipeline. */
  readonly id: string;
  /** Overrides of the stage's resources for this instance (see resources.ts). */
  readonly resources?: Partial<StageResources>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Refers to an external file or directory (relative to the project root) as an input. */
export function external(path: string): ExternalInput {
  if (!path || path.split("/").includes("..")) {
    throw new Error(`external input path must be non-empty and without "..", got "${path}"`);
  }
  return { kind: "external", path };
}

function checkOutputs(name: string, outputs: readonly string[]): void {
  const seen = new Set<string>();
  for (const out of outputs) {
    const parts = out.split("/");
    if (!out || out.startsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
      throw new Error(`stage ${name}: output "${out}" must be a relative path without . or ..`);
    }
    if (out === "manifest.json") {
      throw new Error(`stage ${name}: output name "manifest.json" is reserved for the engine`);
    }
    if (seen.has(out)) throw new Error(`stage ${name}: output "${out}" is declared twice`);
    seen.add(out);
  }
}

/** Refers to the instance of `stage` whose id parameters are `idParams` (none: the plain name). */
export function upstream(stage: string, idParams: Record<string, unknown> = {}): StageRef {
  return { kind: "ref", stage, idParams };
}

/**
 * Refers to every instance of `stage` in the pipeline (in pipeline order) whose parameters
 * include `where`: e.g. all sizes × seeds of a sweep, as one list input.
 */
export function allOf(stage: string, where: Record<string, unknown> = {}): StageRef {
  return { kind: "all", stage, where };
}

/** The id of an instance of `stage` with the given identifying parameters. */
export function instanceId(stage: string, idParams: Record<string, unknown>): string {
  const keys = Object.keys(idParams).sort();
  return keys.length === 0
    ? stage
    : `${stage}[${keys.map((k) => `${k}=${formatValue(idParams[k])}`).join(",")}]`;
}

function formatValue(v: unknown): string {
  return typeof v === "string" && /^[A-Za-z0-9_.+-]+$/.test(v) ? v : canonicalJson(v);
}

/**
 * Defines a stage; the result is exported from `spec.module` so that workers can find it.
 *
 * @example A stage, its instances, and parameters validated when the pipeline is built
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { defineStage, integer, number, upstream } from "../pipeline/mod.ts";
 *
 * export const train = defineStage({
 *   name: "train",
 *   module: import.meta.url, // the module that exports it: workers import the stage from there
 *   params: { n: integer({ min: 1 }), seed: integer({ min: 0 }), lr: number({ default: 0.01 }) },
 *   inputs: () => ({ data: upstream("data") }), // the instance of the stage named "data"
 *   outputs: ["loss.json"],
 *   run: async (ctx) => {
 *     const losses = [1, 0.5, 0.25].map((x) => x * ctx.params.lr);
 *     await Deno.writeTextFile(ctx.output("loss.json"), JSON.stringify(losses));
 *   },
 * });
 *
 * const runs = train.sweep({ n: [100, 200], seed: [0, 1] });
 * assertEquals(runs.map((r) => r.id), [
 *   "train[n=100,seed=0]",
 *   "train[n=100,seed=1]",
 *   "train[n=200,seed=0]",
 *   "train[n=200,seed=1]",
 * ]);
 * assertEquals(runs[0].params, { n: 100, seed: 0, lr: 0.01 }); // the default filled in
 * assertThrows(
 *   () => train.with({ n: 0, seed: 0 }),
 *   Error,
 *   "stage train: parameter n must be an integer ≥ 1, got 0",
 * );
 * ```
 */
export function defineStage<S extends ParamSchema>(spec: StageSpec<S>): StageDefinition<S> {
  if (!NAME.test(spec.name)) {
    throw new Error(
      `stage name "${spec.name}" must start with a letter and contain only letters, digits, _ and -`,
    );
  }
  if (!spec.module.startsWith("file:")) {
    throw new Error(
      `stage ${spec.name}: module must be import.meta.url (file:), got ${spec.module}`,
    );
  }
  if (Array.isArray(spec.outputs)) checkOutputs(spec.name, spec.outputs);
  if (spec.resources) validateResources(`stage ${spec.name}: resources`, spec.resources);
  const definition: StageDefinition<S> = {
    ...spec,
    kind: "stage",
    with(raw, idParams = []) {
      const params = validateParams(spec.name, spec.params, raw as Record<string, unknown>);
      const p = params as Record<string, unknown>;
      const id = instanceId(spec.name, Object.fromEntries(idParams.map((k) => [k, p[k]])));
      const outputs = typeof spec.outputs === "function" ? spec.outputs(params) : spec.outputs;
      checkOutputs(spec.name, outputs);
      return { kind: "instance", definition, params, id, outputs };
    },
    sweep(matrix, base = {}) {
      let combos: Record<string, unknown>[] = [{ ...base }];
      for (const [key, values] of Object.entries(matrix)) {
        if (!Array.isArray(values) || values.length === 0) {
          throw new Error(`stage ${spec.name}: sweep over "${key}" needs a non-empty list`);
        }
        combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
      }
      const axes = Object.keys(matrix) as (keyof S & string)[];
      return combos.map((c) => definition.with(c as ParamsInput<S>, axes));
    },
  };
  return definition;
}

/** True when a module export is a stage definition (how workers find a stage by name). */
export function isStageDefinition(value: unknown): value is StageDefinition {
  return typeof value === "object" && value !== null &&
    (value as { kind?: unknown }).kind === "stage";
}
