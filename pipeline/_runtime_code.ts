/**
 * The runtime code of one TypeScript or JavaScript module, as a hash that ignores what cannot
 * change what runs: comments, formatting, quotes, trailing commas, grouping parentheses, types,
 * type-only declarations, imports and exports, and imports of which no binding is used as a value
 * (Deno elides those: the imported module is not even loaded).
 *
 * How: TypeScript's parser builds the syntax tree, which is written out as text with every
 * property of every node (sorted by name) except positions, the parser's bookkeeping, formatting
 * flags and type positions (the list is in _syntax.ts), with each module specifier replaced by a numbered reference (so that
 * a file's hash does not depend on where the files it imports live: the fingerprint adds their
 * own hashes instead). Unknown properties are kept: a construct this module does not know can
 * only rerun too much, never too little. `_runtime_code_test.ts` checks the result against
 * TypeScript's own transpiler: every module of this repository hashes as its transpiled output.
 *
 * The parser is `npm:typescript`, pinned to the version Deno 2.9 embeds: the only exact TypeScript
 * parser that runs offline here (pure JavaScript, no dependencies). It is loaded only when a module
 * is not in the fingerprinter's cache (≈ 0.3 s), and by full specifier, so that projects without
 * an import map (the engine's test fixtures) can use the engine.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the engine also runs in projects without an import map
import type ts from "npm:typescript@6.0.3";
import { sha256Hex } from "./hash.ts";
import { type Syntax, syntaxOf } from "./_syntax.ts";

type Ts = typeof ts;
type Node = ts.Node;

/** A module that the runtime code loads: by `import`, `export … from`, `import("…")` or a URL. */
export interface ModuleReference {
  /** The specifier as written. */
  readonly specifier: string;
  /**
   * `import` for static imports and re-exports, `dynamic` for `import("…")`, `url` for
   * `new URL("./x.ts", import.meta.url)` (how workers are started), resolved against the module.
   */
  readonly kind: "import" | "dynamic" | "url";
}

/** What a module's runtime code is. */
export interface RuntimeCode {
  /** SHA-256 of the runtime syntax tree, module specifiers replaced by their index in `refs`. */
  readonly hash: string;
  /** The modules it loads, in the order of their references in the tree. */
  readonly refs: readonly ModuleReference[];
  /** True when it reads `import.meta` (other than to locate a referenced module): its location
   * is then part of what it does. */
  readonly usesImportMeta: boolean;
}

/** Changes whenever the hashes below would change for the same source (cache and fingerprints). */
export const RUNTIME_CODE_VERSION = "runtime-code-1 typescript-6.0.3";

let typescript: Promise<Ts> | undefined;

/** Loads the TypeScript parser (once). */
export function loadTypeScript(): Promise<Ts> {
  // deno-lint-ignore no-import-prefix -- as above
  return typescript ??= import("npm:typescript@6.0.3").then((m) => m.default);
}

/** Modifiers that make a constructor parameter a property (and otherwise only inform types). */
const PROPERTY_MODIFIERS = new Set(["public", "private", "protected", "readonly", "override"]);

/** Modifiers that do nothing at run time once parameter properties are written out. */
const TYPE_ONLY_MODIFIERS = new Set([...PROPERTY_MODIFIERS, "abstract", "declare", "in", "out"]);

/** Properties holding the body of an `if`, `else` or loop. */
const BODIES = new Set(["thenStatement", "elseStatement", "statement"]);

/** Properties holding a SyntaxKind as a number, written by name. */
const KIND_VALUED = new Set(["operator", "keywordToken", "token", "phaseModifier"]);

/** The runtime code of a module's source text; `fileName` decides TS/JS/TSX/JSX parsing. */
export function runtimeCode(t: Ts, source: string, fileName: string): RuntimeCode {
  const { text, ...rest } = runtimeCodeText(t, source, fileName);
  return { hash: sha256Hex(text), ...rest };
}

/** The text that runtimeCode hashes (to see why two hashes differ). */
export function runtimeCodeText(
  t: Ts,
  source: string,
  fileName: string,
): Omit<RuntimeCode, "hash"> & { readonly text: string } {
  const file = t.createSourceFile(fileName, source, t.ScriptTarget.ESNext, false);
  return new Serializer(t).sourceFile(file);
}

class Serializer {
  readonly #refs: ModuleReference[] = [];
  /** Specifier literals to write as references, with their kind. */
  readonly #refNodes = new Map<Node, ModuleReference["kind"]>();
  /** `import.meta` nodes that only locate a referenced module. */
  readonly #locating = new Set<Node>();
  /** Identifiers written so far outside import declarations (decides import elision). */
  readonly #values = new Set<string>();
  #usesImportMeta = false;
  readonly #syntax: Syntax;

  constructor(private readonly t: Ts) {
    this.#syntax = syntaxOf(t);
  }

  sourceFile(file: ts.SourceFile): Omit<RuntimeCode, "hash"> & { text: string } {
    const t = this.t;
    const isImport = (s: ts.Statement) =>
      t.isImportDeclaration(s) || t.isImportEqualsDeclaration(s);
    // Imports last: which of their bindings are used is known once the rest has been written.
    const rest = file.statements.map((s) => isImport(s) ? null : this.#listed("statements", s));
    const text = file.statements.map((s, i) =>
      isImport(s) ? this.#importDeclaration(s as ts.ImportDeclaration) : rest[i]
    ).filter((s) => s !== null).join(" ");
    return { text, refs: this.#refs, usesImportMeta: this.#usesImportMeta };
  }

  #node(n: Node): string | null {
    const k = this.#syntax.kind;
    if (this.#refNodes.has(n)) {
      this.#refs.push({ specifier: (n as ts.StringLiteral).text, kind: this.#refNodes.get(n)! });
      return `(ref ${this.#refs.length - 1})`;
    }
    if (this.#isTypeOnly(n)) return null;
    switch (n.kind) {
      case k.Identifier:
      case k.PrivateIdentifier: {
        const name = (n as ts.Identifier).text;
        this.#values.add(name);
        return JSON.stringify(name);
      }
      case k.ParenthesizedExpression: // grouping is the tree's shape; optional chains keep a flag
      case k.AsExpression:
      case k.SatisfiesExpression:
      case k.TypeAssertionExpression:
      case k.NonNullExpression:
      case k.ExpressionWithTypeArguments:
      case k.PartiallyEmittedExpression:
        return this.#node((n as ts.ParenthesizedExpression).expression);
      case k.MetaProperty:
        if ((n as ts.MetaProperty).keywordToken === k.ImportKeyword && !this.#locating.has(n)) {
          this.#usesImportMeta = true;
        }
        break;
      case k.CallExpression:
        this.#markDynamicImport(n as ts.CallExpression);
        break;
      case k.NewExpression:
        this.#markModuleUrl(n as ts.NewExpression);
        break;
      case k.ExportDeclaration:
        return this.#exportDeclaration(n as ts.ExportDeclaration);
      case k.ClassDeclaration:
      case k.ClassExpression:
        return this.#generic(this.#withParameterProperties(n as ts.ClassLikeDeclaration));
    }
    return this.#generic(n);
  }

  /** Every property but the ignored ones, sorted by name; empty lists are left out. */
  #generic(n: Node): string {
    const syntax = this.#syntax;
    const parts = [`(${syntax.kindName[n.kind]}`];
    const flags = n.flags & syntax.flagMask;
    if (flags) parts.push(`flags=${flags}`);
    const record = n as unknown as Record<string, unknown>;
    for (const key of syntax.keysOf(n)) {
      const written = this.#value(key, record[key]);
      if (written !== null) parts.push(`${key}=${written}`);
    }
    return parts.join(" ") + ")";
  }

  #value(key: string, value: unknown): string | null {
    if (value === undefined || typeof value === "function") return null;
    if (typeof value === "number" && KIND_VALUED.has(key)) return this.#syntax.kindName[value];
    if (typeof value !== "object" || value === null) return JSON.stringify(value);
    if (Array.isArray(value)) {
      const items = value.map((v) => this.#listed(key, v)).filter((s) => s !== null);
      return items.length ? `[${items.join(" ")}]` : null;
    }
    if (typeof (value as Node).kind !== "number") return null; // no other objects below a file
    return this.#node(BODIES.has(key) ? this.#unbraced(value as Node) : value as Node);
  }

  /** An element of a list: type-only modifiers and empty statements (`;`) are left out. */
  #listed(key: string, n: Node): string | null {
    if (key === "modifiers" && TYPE_ONLY_MODIFIERS.has(this.t.tokenToString(n.kind) ?? "")) {
      return null;
    }
    if (key === "statements" && n.kind === this.#syntax.kind.EmptyStatement) return null;
    return this.#node(n);
  }

  /**
   * A body (`if`, `else`, loops) that is a block of one statement, as that statement: the same
   * program, and formatters add or remove such braces. A declaration keeps its block (its scope).
   */
  #unbraced(body: Node): Node {
    const t = this.t;
    if (!t.isBlock(body)) return body;
    const statements = body.statements.filter((s) => !t.isEmptyStatement(s));
    if (statements.length !== 1) return body;
    const only = statements[0];
    const declares = t.isFunctionDeclaration(only) || t.isClassDeclaration(only) ||
      (t.isVariableStatement(only) && (only.declarationList.flags & t.NodeFlags.BlockScoped));
    return declares ? body : only;
  }

  /** Declarations and members that exist only for the type checker. */
  #isTypeOnly(n: Node): boolean {
    const t = this.t, k = this.#syntax.kind;
    switch (n.kind) {
      case k.InterfaceDeclaration:
      case k.TypeAliasDeclaration:
      case k.IndexSignature:
      case k.SemicolonClassElement:
      case k.NamespaceExportDeclaration:
        return true;
      case k.FunctionDeclaration:
      case k.MethodDeclaration:
      case k.Constructor:
        return !(n as ts.FunctionLikeDeclaration).body; // an overload signature
      case k.ImportSpecifier:
      case k.ExportSpecifier:
        return (n as ts.ImportSpecifier).isTypeOnly;
      case k.HeritageClause:
        return (n as ts.HeritageClause).token === k.ImplementsKeyword;
      case k.Parameter: // `this: T`, the type of `this` inside the function
        return t.isIdentifier((n as ts.ParameterDeclaration).name) &&
          ((n as ts.ParameterDeclaration).name as ts.Identifier).text === "this";
    }
    const modifiers = (n as { modifiers?: readonly Node[] }).modifiers;
    if (!modifiers) return false;
    if (modifiers.some((m) => m.kind === k.DeclareKeyword)) return true;
    return t.isClassElement(n) && modifiers.some((m) => m.kind === k.AbstractKeyword);
  }

  /** An import with the bindings that are used as values; none used: the import is elided. */
  #importDeclaration(n: ts.ImportDeclaration | ts.ImportEqualsDeclaration): string | null {
    const t = this.t;
    if (t.isImportEqualsDeclaration(n)) {
      const exported = n.modifiers?.some((m) => m.kind === t.SyntaxKind.ExportKeyword);
      if (n.isTypeOnly || !(exported || this.#values.has(n.name.text))) return null;
      if (t.isExternalModuleReference(n.moduleReference)) {
        this.#markRef(n.moduleReference.expression, "import");
      }
      return this.#generic(n);
    }
    const clause = n.importClause;
    this.#markRef(n.moduleSpecifier, "import");
    if (!clause) return this.#generic(n); // a side-effect import
    if (clause.isTypeOnly) return null;
    const used = (name: ts.Identifier | undefined) => name && this.#values.has(name.text);
    const bindings = clause.namedBindings;
    const named = bindings && t.isNamedImports(bindings)
      ? bindings.elements.filter((e) => !e.isTypeOnly && used(e.name))
      : [];
    const namespace = bindings && t.isNamespaceImport(bindings) && used(bindings.name);
    const keepsDefault = used(clause.name);
    const wasEmpty = !clause.name && bindings && t.isNamedImports(bindings) &&
      bindings.elements.length === 0; // `import {} from`: Deno still loads the module
    if (!keepsDefault && !namespace && named.length === 0 && !wasEmpty) return null;
    const parts = [`(ImportDeclaration moduleSpecifier=${this.#node(n.moduleSpecifier)}`];
    if (n.attributes) parts.push(`attributes=${this.#node(n.attributes)}`);
    if (keepsDefault) parts.push(`default=${this.#node(clause.name!)}`);
    if (namespace) parts.push(`namespace=${this.#node((bindings as ts.NamespaceImport).name)}`);
    if (named.length) parts.push(`named=[${named.map((e) => this.#node(e)).join(" ")}]`);
    return parts.join(" ") + ")";
  }

  /** `export … from` keeps its value specifiers; one whose specifiers were all types is elided. */
  #exportDeclaration(n: ts.ExportDeclaration): string | null {
    const t = this.t;
    if (n.isTypeOnly) return null;
    const clause = n.exportClause;
    if (clause && t.isNamedExports(clause)) {
      const values = clause.elements.filter((e) => !e.isTypeOnly);
      // `export {}` does nothing; `export { type A } from "m"` does not load m in Deno.
      if (values.length === 0 && (clause.elements.length > 0 || !n.moduleSpecifier)) return null;
    }
    if (n.moduleSpecifier) this.#markRef(n.moduleSpecifier, "import");
    return this.#generic(n);
  }

  #markRef(specifier: Node, kind: ModuleReference["kind"]): void {
    if (this.t.isStringLiteralLike(specifier)) this.#refNodes.set(specifier, kind);
  }

  /** `import("literal")`. */
  #markDynamicImport(n: ts.CallExpression): void {
    if (n.expression.kind === this.#syntax.kind.ImportKeyword && n.arguments.length > 0) {
      this.#markRef(n.arguments[0], "dynamic");
    }
  }

  /** `new URL("./module.ts", import.meta.url)`: a module located by its path (a worker's). */
  #markModuleUrl(n: ts.NewExpression): void {
    const t = this.t;
    const [path, base] = n.arguments ?? [];
    if (
      !t.isIdentifier(n.expression) || n.expression.text !== "URL" || !path || !base ||
      !t.isStringLiteralLike(path) || !/^\.\.?\/.*\.[mc]?[jt]sx?$/.test(path.text) ||
      !t.isPropertyAccessExpression(base) || base.name.text !== "url" ||
      !t.isMetaProperty(base.expression) ||
      base.expression.keywordToken !== this.#syntax.kind.ImportKeyword
    ) return;
    this.#markRef(path, "url");
    this.#locating.add(base.expression);
  }

  /**
   * A class whose constructor has parameter properties (`constructor(private x: T)`), written as
   * TypeScript emits it: a field per property first, then `this.x = x` after `super(…)` or the
   * directive prologue.
   */
  #withParameterProperties(n: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration {
    const t = this.t, f = t.factory;
    const ctor = n.members.find((m): m is ts.ConstructorDeclaration =>
      t.isConstructorDeclaration(m) && m.body !== undefined
    );
    const props = ctor?.parameters.filter((p) =>
      t.isIdentifier(p.name) &&
      t.getModifiers(p)?.some((m) => PROPERTY_MODIFIERS.has(t.tokenToString(m.kind) ?? ""))
    ) ?? [];
    if (!ctor || props.length === 0) return n;
    const names = props.map((p) => (p.name as ts.Identifier).text);
    const statements = [...ctor.body!.statements];
    const superAt = statements.findIndex((s) =>
      t.isExpressionStatement(s) && t.isCallExpression(s.expression) &&
      s.expression.expression.kind === this.#syntax.kind.SuperKeyword
    );
    let at = superAt + 1;
    if (superAt < 0) {
      at = 0;
      while (at < statements.length && isDirective(t, statements[at])) at++;
    }
    statements.splice(
      at,
      0,
      ...names.map((name) =>
        f.createExpressionStatement(f.createAssignment(
          f.createPropertyAccessExpression(f.createThis(), name),
          f.createIdentifier(name),
        ))
      ),
    );
    const body = f.createBlock(statements);
    const members = [
      ...names.map((name) =>
        f.createPropertyDeclaration(undefined, name, undefined, undefined, undefined)
      ),
      ...n.members.map((m) =>
        m === ctor ? f.createConstructorDeclaration(ctor.modifiers, ctor.parameters, body) : m
      ),
    ];
    return t.isClassDeclaration(n)
      ? f.createClassDeclaration(n.modifiers, n.name, undefined, n.heritageClauses, members)
      : f.createClassExpression(n.modifiers, n.name, undefined, n.heritageClauses, members);
  }
}

/** `"use strict";` and the like, at the start of a body. */
function isDirective(t: Ts, s: ts.Statement): boolean {
  return t.isExpressionStatement(s) && t.isStringLiteral(s.expression);
}
