/**
 * A user's configuration file (`--config FILE`, JSON or YAML), read so that every error can name
 * the file, the line and column, and the field: syntax errors and duplicate keys come with the
 * position the parser found; a bad value comes with the position of its field (the nearest
 * enclosing field the file sets, when the value came from the profile it extends).
 *
 * JSON is read by a small parser of its own, because `JSON.parse` says neither where an error is
 * nor that a key appears twice (it keeps the last). YAML is read with the `yaml` package, whose
 * duplicate-key errors carry the right column (Deno's std YAML parser reported `column -19` for a
 * repeated block key).
 *
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** A problem with one field of a configuration (a dotted path such as `sweep.sizes`). */
export class FieldError extends Error {
  constructor(readonly field: string, readonly problem: string) {
    super(`${field}: ${problem}`);
    this.name = "FieldError";
  }
}

/** A parsed configuration file and where each of its fields is. */
export interface ConfigFile {
  readonly path: string;
  readonly value: unknown;
  /** `path:line:col` of the field (or of its nearest enclosing field in the file), or `path`. */
  where(field: string): string;
}

/** Reads and parses a JSON (`.json`) or YAML (anything else) file; errors name the file. */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : (error as Error).message;
    throw new Error(`--config ${path}: cannot read it (${why})`);
  }
  const positions = new Map<string, number>();
  const value = path.endsWith(".json")
    ? parseJson(text, path, positions)
    : parseYaml(text, path, positions);
  const lines = lineStarts(text);
  return {
    path,
    value,
    where(field) {
      for (let f: string | null = field; f !== null; f = parentField(f)) {
        const at = positions.get(f);
        if (at !== undefined) return `${path}:${lineColumn(lines, at)}`;
      }
      return path;
    },
  };
}

/** The field one level up (`a.b[2]` → `a.b` → `a`), or null at the top. */
function parentField(field: string): string | null {
  const cut = Math.max(field.lastIndexOf("."), field.lastIndexOf("["));
  return cut > 0 ? field.slice(0, cut) : null;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

function lineColumn(starts: number[], offset: number): string {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return `${lo + 1}:${offset - starts[lo] + 1}`;
}

function syntaxError(path: string, text: string, offset: number, kind: string, what: string) {
  return new Error(`${path}:${lineColumn(lineStarts(text), offset)}: ${kind}: ${what}`);
}

function parseYaml(text: string, path: string, positions: Map<string, number>): unknown {
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const what = first.code === "DUPLICATE_KEY"
      ? "a key appears twice in the same mapping"
      : first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw syntaxError(path, text, first.pos[0], "YAML syntax error", what);
  }
  const visit = (node: unknown, at: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const field = at ? `${at}.${pair.key.value}` : String(pair.key.value);
        if (pair.key.range) positions.set(field, pair.key.range[0]);
        visit(pair.value, field);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const field = `${at}[${i}]`;
        const range = (item as Node | null)?.range;
        if (range) positions.set(field, range[0]);
        visit(item, field);
      });
    }
  };
  visit(doc.contents, "");
  return doc.toJS();
}

/** JSON (RFC 8259) with the offset of every field, refusing duplicate keys. */
function parseJson(text: string, path: string, positions: Map<string, number>): unknown {
  return new JsonReader(text, path, positions).document();
}

/** A recursive-descent reader of one JSON document, recording each field's offset. */
class JsonReader {
  #i = 0;

  constructor(
    readonly text: string,
    readonly path: string,
    readonly positions: Map<string, number>,
  ) {}

  /** The whole text: one value, then nothing but white space. */
  document(): unknown {
    const result = this.#value("");
    this.#space();
    if (this.#i < this.text.length) {
      this.#fail(`unexpected ${this.#found()} after the end of the value`);
    }
    return result;
  }

  #fail(what: string, at = this.#i): never {
    throw syntaxError(this.path, this.text, at, "JSON syntax error", what);
  }

  #space(): void {
    while (this.#i < this.text.length && " \t\n\r".includes(this.text[this.#i])) this.#i++;
  }

  #found(): string {
    return this.#i >= this.text.length ? "the end of the file" : JSON.stringify(this.text[this.#i]);
  }

  #string(): string {
    // deno-lint-ignore no-control-regex -- JSON strings may not hold raw control characters
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(
      this.text.slice(this.#i),
    );
    if (!m) this.#fail("a string is not closed or holds a bad escape or control character");
    this.#i += m![0].length;
    return JSON.parse(m![0]);
  }

  #value(field: string): unknown {
    this.#space();
    const c = this.text[this.#i];
    if (c === "{") return this.#object(field);
    if (c === "[") return this.#list(field);
    if (c === '"') return this.#string();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
      this.text.slice(this.#i),
    );
    if (!m) return this.#fail(`expected a value, found ${this.#found()}`);
    this.#i += m[0].length;
    return JSON.parse(m[0]);
  }

  #object(field: string): Record<string, unknown> {
    this.#i++;
    const out: Record<string, unknown> = {};
    this.#space();
    if (this.text[this.#i] === "}") return this.#i++, out;
    while (true) {
      this.#space();
      if (this.text[this.#i] !== '"') {
        this.#fail(`expected a key in double quotes, found ${this.#found()}`);
      }
      const keyAt = this.#i, key = this.#string();
      const sub = field ? `${field}.${key}` : key;
      if (Object.hasOwn(out, key)) {
        this.#fail(`the key "${key}" appears twice in the same object`, keyAt);
      }
      this.positions.set(sub, keyAt);
      this.#space();
      if (this.text[this.#i] !== ":") {
        this.#fail(`expected ":" after the key "${key}", found ${this.#found()}`);
      }
      this.#i++;
      out[key] = this.#value(sub);
      this.#space();
      if (this.text[this.#i] === ",") this.#i++;
      else if (this.text[this.#i] === "}") return this.#i++, out;
      else this.#fail(`expected "," or "}" after the value of "${key}", found ${this.#found()}`);
    }
  }

  #list(field: string): unknown[] {
    this.#i++;
    const out: unknown[] = [];
    this.#space();
    if (this.text[this.#i] === "]") return this.#i++, out;
    while (true) {
      this.#space();
      this.positions.set(`${field}[${out.length}]`, this.#i);
      out.push(this.#value(`${field}[${out.length}]`));
      this.#space();
      if (this.text[this.#i] === ",") this.#i++;
      else if (this.text[this.#i] === "]") return this.#i++, out;
      else this.#fail(`expected "," or "]" in a list, found ${this.#found()}`);
    }
  }
}
