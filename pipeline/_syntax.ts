/**
 * What _runtime_code.ts reads of one TypeScript instance, prepared once: the syntax kinds it
 * compares with, the kinds' names, and per node shape the properties it writes (the hot path:
 * every node of every module).
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the engine also runs in projects without an import map
import type ts from "npm:typescript@6.0.3";

type Ts = typeof ts;
type Node = ts.Node;

/** Node properties that are positions, parser or binder bookkeeping, formatting or types. */
const IGNORED = new Set([
  "pos",
  "end",
  "kind",
  "flags",
  "parent",
  "id",
  "original",
  "emitNode",
  "symbol",
  "localSymbol",
  "locals",
  "nextContainer",
  "flowNode",
  "flowNodeWhenFalse",
  "flowNodeWhenTrue",
  "endFlowNode",
  "returnFlowNode",
  "jsDoc",
  "jsDocCache",
  "modifierFlagsCache",
  "transformFlags",
  "possiblyExhaustive",
  "escapedText",
  // formatting and spelling of literals (their value is `text`)
  "multiLine",
  "singleQuote",
  "hasExtendedUnicodeEscape",
  "numericLiteralFlags",
  "templateFlags",
  "isUnterminated",
  // type positions
  "type",
  "typeParameters",
  "typeArguments",
  "questionToken",
  "exclamationToken",
  "isTypeOnly",
]);

/** The syntax kinds _runtime_code.ts reads by name. */
const KINDS = [
  "Identifier",
  "PrivateIdentifier",
  "ParenthesizedExpression",
  "AsExpression",
  "SatisfiesExpression",
  "TypeAssertionExpression",
  "NonNullExpression",
  "ExpressionWithTypeArguments",
  "PartiallyEmittedExpression",
  "MetaProperty",
  "CallExpression",
  "NewExpression",
  "ExportDeclaration",
  "ClassDeclaration",
  "ClassExpression",
  "InterfaceDeclaration",
  "TypeAliasDeclaration",
  "IndexSignature",
  "SemicolonClassElement",
  "NamespaceExportDeclaration",
  "FunctionDeclaration",
  "MethodDeclaration",
  "Constructor",
  "ImportSpecifier",
  "ExportSpecifier",
  "HeritageClause",
  "Parameter",
  "ImplementsKeyword",
  "ImportKeyword",
  "SuperKeyword",
  "DeclareKeyword",
  "AbstractKeyword",
  "EmptyStatement",
] as const;

type Kinds = { readonly [K in typeof KINDS[number]]: number };

/** Per TypeScript instance: kind numbers and names, and each node shape's written properties. */
export interface Syntax {
  readonly kind: Kinds;
  readonly kindName: readonly string[];
  readonly flagMask: number;
  /** The properties of a node to write, sorted (cached per kind and shape: the hot path). */
  keysOf(n: Node): readonly string[];
}

const syntaxes = new WeakMap<Ts, Syntax>();

export function syntaxOf(t: Ts): Syntax {
  let syntax = syntaxes.get(t);
  if (syntax) return syntax;
  // SyntaxKind is a large enum: copy what is read per node into small, fast objects.
  const kind = Object.fromEntries(KINDS.map((name) => [name, t.SyntaxKind[name]])) as Kinds;
  const kindName: string[] = [];
  for (const [name, value] of Object.entries(t.SyntaxKind)) {
    if (typeof value === "number" && kindName[value] === undefined) kindName[value] = name;
  }
  const shapes = new Map<number, { own: string[]; keys: string[] }[]>();
  const keysOf = (n: Node) => {
    const own = Object.keys(n);
    const known = shapes.get(n.kind) ?? [];
    const hit = known.find((s) =>
      s.own.length === own.length && s.own.every((k, i) => k === own[i])
    );
    if (hit) return hit.keys;
    const keys = own.filter((k) => !IGNORED.has(k)).sort();
    shapes.set(n.kind, [...known, { own, keys }]);
    return keys;
  };
  syntax = {
    kind,
    kindName,
    flagMask: t.NodeFlags.BlockScoped | t.NodeFlags.OptionalChain,
    keysOf,
  };
  syntaxes.set(t, syntax);
  return syntax;
}
