/**
 * Parameter schemas of stages: each parameter is declared with its type and allowed values, and a
 * stage instance's parameters are validated against the schema before any work starts.
 *
 * ```ts
 * const schema = { lr: number({ min: 0 }), seed: integer({ min: 0, default: 0 }),
 *   solver: oneOf(["gd", "euler"]) };
 * validateParams("train", schema, { lr: 0.01, solver: "gd" }); // → { lr: 0.01, seed: 0, solver: "gd" }
 * ```
 *
 * @module
 */

/** One declared parameter: what values it accepts, and an optional default. */
export interface ParamSpec<T> {
  /** Words for the allowed values, used in error messages ("a number ≥ 0", "one of gd, euler"). */
  readonly allowed: string;
  /** The value used when an instance omits the parameter; absent means the parameter is required. */
  readonly default?: T;
  /** True when the value is allowed. */
  accepts(value: unknown): value is T;
}

/** A stage's parameter schema: parameter name → its declaration. */
export type ParamSchema = Record<string, ParamSpec<unknown>>;

/** The validated parameter object a schema describes. */
export type ParamsOf<S extends ParamSchema> = {
  [K in keyof S]: S[K] extends ParamSpec<infer T> ? T : never;
};

/** The parameters an instance may be given: those with a default may be omitted. */
export type ParamsInput<S extends ParamSchema> = Partial<ParamsOf<S>>;

interface RangeOptions<T> {
  min?: number;
  max?: number;
  default?: T;
}

function rangeWords(base: string, o: RangeOptions<unknown>): string {
  if (o.min !== undefined && o.max !== undefined) return `${base} in [${o.min}, ${o.max}]`;
  if (o.min !== undefined) return `${base} ≥ ${o.min}`;
  return o.max !== undefined ? `${base} ≤ ${o.max}` : base;
}

function show(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function inRange(v: number, o: RangeOptions<unknown>): boolean {
  return (o.min === undefined || v >= o.min) && (o.max === undefined || v <= o.max);
}

/** A finite number, optionally within [min, max]. */
export function number(options: RangeOptions<number> = {}): ParamSpec<number> {
  return {
    allowed: rangeWords("a finite number", options),
    default: options.default,
    accepts: (v): v is number => typeof v === "number" && Number.isFinite(v) && inRange(v, options),
  };
}

/** A safe integer, optionally within [min, max]. */
export function integer(options: RangeOptions<number> = {}): ParamSpec<number> {
  return {
    allowed: rangeWords("an integer", options),
    default: options.default,
    accepts: (v): v is number => Number.isSafeInteger(v) && inRange(v as number, options),
  };
}

/** Any string. */
export function string(options: { default?: string } = {}): ParamSpec<string> {
  return {
    allowed: "a string",
    default: options.default,
    accepts: (v): v is string => typeof v === "string",
  };
}

/** true or false. */
export function boolean(options: { default?: boolean } = {}): ParamSpec<boolean> {
  return {
    allowed: "true or false",
    default: options.default,
    accepts: (v): v is boolean => typeof v === "boolean",
  };
}

/** One value from a fixed list of strings or numbers. */
export function oneOf<const T extends string | number>(
  values: readonly T[],
  options: { default?: T } = {},
): ParamSpec<T> {
  return {
    allowed: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    default: options.default,
    accepts: (v): v is T => values.includes(v as T),
  };
}

/** An array whose every element the item spec accepts. */
export function list<T>(item: ParamSpec<T>, options: { default?: T[] } = {}): ParamSpec<T[]> {
  return {
    allowed: `a list, each item ${item.allowed}`,
    default: options.default,
    accepts: (v): v is T[] => Array.isArray(v) && v.every((x) => item.accepts(x)),
  };
}

/**
 * Checks raw parameters against a schema and fills in defaults. Throws one error listing every
 * problem: unknown keys (with the allowed names), missing required values, and values of the wrong
 * type or range (with the allowed values).
 */
export function validateParams<S extends ParamSchema>(
  stage: string,
  schema: S,
  raw: Record<string, unknown>,
): ParamsOf<S> {
  const problems: string[] = [];
  const names = Object.keys(schema);
  for (const key of Object.keys(raw)) {
    if (!(key in schema)) {
      problems.push(
        `unknown parameter "${key}" (allowed: ${names.length ? names.join(", ") : "none"})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const spec = schema[name];
    const value = raw[name] === undefined ? spec.default : raw[name];
    if (value === undefined) {
      problems.push(`missing parameter ${name} (${spec.allowed})`);
    } else if (!spec.accepts(value)) {
      problems.push(`parameter ${name} must be ${spec.allowed}, got ${show(value)}`);
    } else {
      out[name] = value;
    }
  }
  if (problems.length) throw new Error(`stage ${stage}: ${problems.join("; ")}`);
  return out as ParamsOf<S>;
}
