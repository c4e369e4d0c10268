import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { loadTypeScript, runtimeCode } from "./_runtime_code.ts";

const ts = await loadTypeScript();
const hashOf = (source: string, file = "m.ts") => runtimeCode(ts, source, file).hash;
const ROOT = new URL("..", import.meta.url).pathname;

/** Every TypeScript module of this repository (not dependencies, not the installed Deno). */
async function repositoryModules(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(".") || ["node_modules", "artifacts"].includes(e.name)) continue;
      if (e.isDirectory && `${dir}/${e.name}` !== `${ROOT}tools/deno`) {
        await walk(`${dir}/${e.name}`);
      } else if (e.isFile && e.name.endsWith(".ts")) out.push(`${dir}/${e.name}`);
    }
  };
  await walk(ROOT.replace(/\/$/, ""));
  return out.sort();
}

Deno.test("runtime code: every module of the repository hashes as TypeScript's own transpiled output", async () => {
  const files = await repositoryModules();
  assert(files.length > 100, `${files.length} modules found`);
  for (const file of files) {
    const source = await Deno.readTextFile(file);
    const js = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext },
    }).outputText;
    const fromSource = runtimeCode(ts, source, "m.ts");
    const fromJs = runtimeCode(ts, js, "m.js");
    assertEquals(fromSource, fromJs, file);
  }
});

Deno.test("runtime code: every module of the repository hashes the same after deno fmt with other settings", async () => {
  const files = await repositoryModules();
  const dir = await Deno.makeTempDir();
  try {
    const copies = files.map((_, i) => `${dir}/m${i}.ts`);
    for (const [i, file] of files.entries()) await Deno.copyFile(file, copies[i]);
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: [
        "fmt",
        "--no-config",
        "--line-width=50",
        "--indent-width=8",
        "--single-quote",
        "--no-semicolons",
        dir,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(fmt.success, new TextDecoder().decode(fmt.stderr));
    let reformatted = 0;
    for (const [i, file] of files.entries()) {
      const before = await Deno.readTextFile(file);
      const after = await Deno.readTextFile(copies[i]);
      if (before !== after) reformatted++;
      assertEquals(hashOf(after), hashOf(before), file);
    }
    assert(reformatted > files.length * 0.9, `only ${reformatted} of ${files.length} reformatted`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runtime code: any one-token change to a repository module's transpiled code changes its hash", async () => {
  const k = ts.SyntaxKind;
  const swaps = new Map<number, string>([
    [k.PlusToken, "-"],
    [k.MinusToken, "+"],
    [k.LessThanToken, ">"],
    [k.AsteriskToken, "/"],
    [k.AmpersandAmpersandToken, "||"],
    [k.BarBarToken, "&&"],
    [k.EqualsEqualsEqualsToken, "!=="],
    [k.ExclamationEqualsEqualsToken, "==="],
  ]);
  let mutations = 0;
  for (const file of await repositoryModules()) {
    const js = ts.transpileModule(await Deno.readTextFile(file), {
      compilerOptions: { target: ts.ScriptTarget.ESNext, removeComments: true },
    }).outputText;
    const original = hashOf(js, "m.js");
    const scanner = ts.createScanner(ts.ScriptTarget.ESNext, true, ts.LanguageVariant.Standard, js);
    const edits: [number, number, string][] = [];
    let before: number[] = [];
    for (let token = scanner.scan(); token !== k.EndOfFileToken; token = scanner.scan()) {
      const [start, end] = [scanner.getTokenStart(), scanner.getTokenEnd()];
      // A module specifier is hashed as what it resolves to (the fingerprint's business).
      const specifier = before[0] === k.FromKeyword || before[0] === k.ImportKeyword ||
        before[1] === k.ImportKeyword;
      if (token === k.Identifier || token === k.NumericLiteral) edits.push([end, end, "1"]);
      else if (token === k.StringLiteral && !specifier) edits.push([start + 1, start + 1, "Q"]);
      else if (swaps.has(token)) edits.push([start, end, swaps.get(token)!]);
      before = [token, before[0]];
    }
    // Every ninth candidate (a spread over the file), at most eight per file.
    for (const [start, end, text] of edits.filter((_, i) => i % 9 === 4).slice(0, 8)) {
      const mutated = js.slice(0, start) + text + js.slice(end);
      const where = `${file}: ${mutated.slice(start - 40, start + 40)}`;
      assertNotEquals(hashOf(mutated, "m.js"), original, where);
      mutations++;
    }
  }
  assert(mutations > 800, `${mutations} mutations`);
});

/** Sources that differ only in what cannot run: each group must hash as its first member. */
const SAME: Record<string, string[]> = {
  "comments": [
    "export const x = f(1, 2);\n",
    "// a line\nexport const x = f(1, /* two */ 2); // trailing\n",
    "/** Doc. @example\n * ```ts\n * x\n * ```\n */\nexport const x = f(1, 2);\n",
  ],
  "formatting": [
    "export const o = { a: [1, 2], b: 'q' };\nfunction g(x) {\n  return x;\n}\n",
    'export const o = {\n  a: [\n    1,\n    2,\n  ],\n  b: "q",\n}\nfunction g(x) { return (x) }',
  ],
  "annotations and assertions": [
    "const n = 1; export function f(a, b = n) { return [a, b].map((v) => v * 2); }",
    "const n: number = 1;\nexport function f<T extends number>(a: T, b: number = n): number[] {\n" +
    "  return [a, b].map((v: number): number => (v as number) * 2!);\n}",
    "const n = 1 satisfies number; export function f(this: void, a?: any, b = <number> n) " +
    "{ return [a, b].map((v) => v! * 2); }",
  ],
  "type declarations": [
    "export const a = 1;",
    "interface I { x: number }\ntype T = I | string;\nexport const a: T = 1;\n" +
    "declare const g: number;\ndeclare module 'm' {}\nexport type { I };\nexport { type T as U };",
  ],
  "type-only imports and exports": [
    `import { v } from "./v.ts";\nexport const a = v;`,
    `import { v, type W } from "./v.ts";\nimport type { X } from "./x.ts";\n` +
    `import { type Y } from "./y.ts";\nimport { Z } from "./z.ts";\n` +
    `export type { Q } from "./q.ts";\nexport { type R } from "./r.ts";\n` +
    `export const a: Z = v as W;\ntype U = Y | X;`,
  ],
  "classes": [
    "export class A extends B { p; x = 1; constructor(p) { super(); this.p = p; } m(a) {} }",
    "export class A extends B<number> implements I, J {\n  x: number = 1;\n" +
    "  declare z: string;\n  [k: string]: unknown;\n  constructor(public readonly p: number) {\n" +
    "    super();\n  }\n  m(): void;\n  m(a?: number): void {}\n}",
  ],
  "loading a module for its effects": [`import "./v.ts";`, `import {} from "./v.ts";`],
  "braces around one statement": [
    "if (a) f(); else { g(); }\nfor (;;) { ; h() }",
    "if (a) { f() } else g()\nfor (;;) h()",
  ],
  "quotes and numbers": [`f("it's", 16, 1000);`, `f('it\\'s', 0x10, 1_000);`],
};

/** Sources that differ in what runs: every one must hash differently from every other. */
const DIFFERENT = [
  "export const LR = 0.01;",
  "export const LR = 0.02;",
  "export let LR = 0.01;",
  "export const lr = 0.01;",
  "f(-x);",
  "f(+x);",
  "f(x++);",
  "f(x--);",
  "f(a - b * c);",
  "f((a - b) * c);",
  "f(a?.b.c);",
  "f((a?.b).c);",
  "f(a.b.c);",
  "for (;x;);",
  "for (x;;);",
  `f("// not a comment");`,
  `f("/* not a comment */");`,
  'f("\\n");',
  'f("\\\\n");',
  "f(String.raw`a\\n`);",
  "f(String.raw`a\\x6e`);",
  "f(`${a}//${b}`);",
  "f(`${a}/*${b}*/`);",
  "f(/\\/\\//g);",
  "f(/\\/\\//i);",
  "async function g() {}",
  "function* g() {}",
  "function g() {}",
  "f(import.meta.url);",
  "f(new.target);",
  "class A { constructor(private x: number) {} }",
  "class A { constructor(x: number) {} }",
  "class A { static m() {} }",
  "class A { #m() {} }",
  "class A { m() {} }",
  `import { v } from "./v.ts"; f(v);`,
  `import { v } from "./w.ts"; f(w);`,
  `import "./v.ts"; f(v);`,
  `f(v);`,
  `export { v } from "./v.ts";`,
  `export * from "./v.ts";`,
  "if (a) b(); else c();",
  "if (a) c(); else b();",
  "const { a, b = 1, ...c } = o;",
  "const { a, b = 2, ...c } = o;",
  "const [a, , b] = o;",
  "const [a, b] = o;",
];

Deno.test("runtime code: comments, formatting, types, type-only imports and overloads hash as nothing", () => {
  for (const [what, sources] of Object.entries(SAME)) {
    for (const source of sources.slice(1)) {
      assertEquals(hashOf(source), hashOf(sources[0]), `${what}: ${source}`);
    }
  }
});

Deno.test("runtime code: any change to what runs changes the hash", () => {
  const seen = new Map<string, string>();
  for (const source of DIFFERENT) {
    const hash = hashOf(source);
    assert(!seen.has(hash), `"${source}" hashes as "${seen.get(hash)}"`);
    seen.set(hash, source);
  }
});

Deno.test("runtime code: the modules it loads, in order, and whether it reads import.meta", () => {
  const code = runtimeCode(
    ts,
    `import type { T } from "./types.ts";
import { unused } from "./unused.ts";
import { a, type B } from "./a.ts";
export { c } from "./c.ts";
export type { D } from "./d.ts";
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const data = new URL("./data.json", import.meta.url);
export const f = (x: T, b: B) => a(x, b, import("./lazy.ts"), worker, data);
`,
    "m.ts",
  );
  assertEquals(code.refs, [
    { specifier: "./c.ts", kind: "import" },
    { specifier: "./worker.ts", kind: "url" },
    { specifier: "./lazy.ts", kind: "dynamic" },
    { specifier: "./a.ts", kind: "import" },
  ]);
  assert(code.usesImportMeta, "the data file is located from import.meta.url");
  const onlyWorker = runtimeCode(ts, `new Worker(new URL("./w.ts", import.meta.url));`, "m.ts");
  assertEquals(onlyWorker.usesImportMeta, false);
});

Deno.test("runtime code: a module specifier enters by reference, not by its text", () => {
  assertEquals(
    hashOf(`import { b } from "./lib/b.ts";\nexport const a = b;`),
    hashOf(`import { b } from "../elsewhere/renamed.ts";\nexport const a = b;`),
  );
  assertNotEquals(
    hashOf(`import { b } from "./b.ts";\nexport const a = b;`),
    hashOf(`import { c as b } from "./b.ts";\nexport const a = b;`),
  );
});
