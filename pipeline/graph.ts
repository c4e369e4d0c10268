/**
 * The DAG of stage instances: resolves each instance's inputs to other instances of the pipeline,
 * rejects duplicates, missing inputs and cycles with a clear message, orders the instances
 * topologically, selects targets, and draws the graph as text or Mermaid.
 *
 * @module
 */
import { canonicalJson } from "./hash.ts";
import { abbreviateList } from "./_listing.ts";
import { type ExternalInput, instanceId, type StageInstance } from "./stage.ts";

/** An instance's input after resolution. */
export type ResolvedInput =
  | { readonly kind: "one"; readonly node: DagNode }
  | { readonly kind: "list"; readonly nodes: readonly DagNode[] }
  | { readonly kind: "external"; readonly path: string };

/** One instance in the DAG with its resolved inputs and its neighbours. */
export interface DagNode {
  readonly instance: StageInstance;
  readonly inputs: ReadonlyMap<string, ResolvedInput>;
  /** Distinct upstream nodes. */
  readonly upstream: readonly DagNode[];
  /** Distinct downstream nodes. */
  readonly downstream: DagNode[];
}

/** The whole DAG; `nodes` is in a topological order (every node after its upstream). */
export interface Dag {
  readonly nodes: readonly DagNode[];
  readonly byId: ReadonlyMap<string, DagNode>;
}

/** Builds the DAG of a pipeline, or throws one error naming every problem found. */
export function buildDag(instances: readonly StageInstance[]): Dag {
  const problems: string[] = [];
  const byId = indexInstances(instances, problems);
  const pipeline = { instances, byId };
  const raw = new Map<string, Map<string, ResolvedRaw>>();
  for (const inst of byId.values()) {
    const resolved = new Map<string, ResolvedRaw>();
    for (const [name, ref] of Object.entries(declaredInputs(inst, problems))) {
      resolved.set(name, resolveInput(inst, name, ref, pipeline, problems));
    }
    raw.set(inst.id, resolved);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return link(byId, raw);
}

/** The pipeline's instances by id, noting stages that share a name and instances listed twice. */
function indexInstances(
  instances: readonly StageInstance[],
  problems: string[],
): Map<string, StageInstance> {
  const byId = new Map<string, StageInstance>();
  const definitionByName = new Map<string, StageInstance["definition"]>();
  for (const inst of instances) {
    const def = inst.definition;
    const known = definitionByName.get(def.name);
    if (known && known !== def) {
      problems.push(
        `two different stages are named "${def.name}" (${known.module} and ${def.module})`,
      );
    }
    definitionByName.set(def.name, def);
    if (byId.has(inst.id)) {
      problems.push(`stage instance ${inst.id} is listed twice in the pipeline`);
    }
    byId.set(inst.id, inst);
  }
  return byId;
}

/** The inputs an instance declares (none, noting why, when its `inputs` function throws). */
function declaredInputs(inst: StageInstance, problems: string[]): Record<string, unknown> {
  try {
    return inst.definition.inputs?.(inst.params as never) ?? {};
  } catch (error) {
    problems.push(
      `stage ${inst.id}: its inputs could not be computed: ${(error as Error).message}`,
    );
    return {};
  }
}

/** What an input is resolved against. */
interface PipelineIndex {
  readonly instances: readonly StageInstance[];
  readonly byId: ReadonlyMap<string, StageInstance>;
}

/** One declared input as ids of the pipeline's instances (or an external path). */
function resolveInput(
  inst: StageInstance,
  name: string,
  ref: unknown,
  pipeline: PipelineIndex,
  problems: string[],
): ResolvedRaw {
  const kind = (ref as { kind?: string })?.kind;
  if (!Array.isArray(ref) && kind === "external") {
    return { kind: "external", path: (ref as ExternalInput).path };
  }
  if (!Array.isArray(ref) && kind === "all") {
    return resolveAllOf(inst, name, ref as AllOfRef, pipeline, problems);
  }
  if (!Array.isArray(ref) && kind === "ref") {
    const { stage, idParams } = ref as { stage: string; idParams: Record<string, unknown> };
    const id = instanceId(stage, idParams);
    if (!pipeline.byId.has(id)) {
      problems.push(`stage ${inst.id}: input "${name}" needs ${id}, which is not in the pipeline`);
    }
    return { kind: "one", ids: [id] };
  }
  const ids = instanceIds(inst, name, Array.isArray(ref) ? ref : [ref], pipeline, problems);
  return Array.isArray(ref) ? { kind: "list", ids } : { kind: "one", ids };
}

type AllOfRef = { stage: string; where: Record<string, unknown> };

/** `allOf(stage, where)`: every instance of the stage whose parameters match `where`. */
function resolveAllOf(
  inst: StageInstance,
  name: string,
  { stage, where }: AllOfRef,
  pipeline: PipelineIndex,
  problems: string[],
): ResolvedRaw {
  const ids = pipeline.instances.filter((i) =>
    i.definition.name === stage &&
    Object.entries(where).every(([k, v]) => canonicalJson(i.params[k]) === canonicalJson(v))
  ).map((i) => i.id);
  if (ids.length === 0) {
    problems.push(
      `stage ${inst.id}: input "${name}" needs all instances of ${stage}${
        Object.keys(where).length ? ` with ${canonicalJson(where)}` : ""
      }, and the pipeline has none`,
    );
  }
  return { kind: "list", ids: [...new Set(ids)] };
}

/** Instances given as inputs: each must be in the pipeline, with the same parameters. */
function instanceIds(
  inst: StageInstance,
  name: string,
  refs: unknown[],
  pipeline: PipelineIndex,
  problems: string[],
): string[] {
  const ids: string[] = [];
  for (const r of refs as StageInstance[]) {
    const listed = r?.kind === "instance" ? pipeline.byId.get(r.id) : undefined;
    if (r?.kind !== "instance") {
      problems.push(
        `stage ${inst.id}: input "${name}" must be a stage instance (or a list of them), ` +
          `upstream(), allOf() or external()`,
      );
    } else if (!listed) {
      problems.push(
        `stage ${inst.id}: input "${name}" needs ${r.id}, which is not in the pipeline`,
      );
    } else if (canonicalJson(listed.params) !== canonicalJson(r.params)) {
      problems.push(
        `stage ${inst.id}: input "${name}" needs ${r.id} with parameters ${
          canonicalJson(r.params)
        }, but the pipeline has it with ${canonicalJson(listed.params)}`,
      );
    } else ids.push(r.id);
  }
  return ids;
}

type ResolvedRaw =
  | { kind: "one" | "list"; ids: string[] }
  | { kind: "external"; path: string };

function link(byId: Map<string, StageInstance>, raw: Map<string, Map<string, ResolvedRaw>>): Dag {
  const upstreamIds = new Map<string, string[]>();
  for (const [id, inputs] of raw) {
    const ups = new Set<string>();
    for (const r of inputs.values()) if (r.kind !== "external") r.ids.forEach((u) => ups.add(u));
    upstreamIds.set(id, [...ups]);
  }
  const order = topologicalOrder([...byId.keys()], upstreamIds);
  const nodes = new Map<string, DagNode>();
  for (const id of order) {
    const inputs = new Map<string, ResolvedInput>();
    for (const [name, r] of raw.get(id)!) {
      if (r.kind === "external") inputs.set(name, r);
      else if (r.kind === "one") inputs.set(name, { kind: "one", node: nodes.get(r.ids[0])! });
      else inputs.set(name, { kind: "list", nodes: r.ids.map((u) => nodes.get(u)!) });
    }
    const upstream = upstreamIds.get(id)!.map((u) => nodes.get(u)!);
    const node: DagNode = { instance: byId.get(id)!, inputs, upstream, downstream: [] };
    upstream.forEach((u) => u.downstream.push(node));
    nodes.set(id, node);
  }
  return { nodes: [...nodes.values()], byId: nodes };
}

/**
 * A topological order that keeps the pipeline's own order wherever dependencies allow (each node
 * right after the upstream it needs); throws naming a cycle when there is one.
 */
function topologicalOrder(ids: string[], upstream: Map<string, string[]>): string[] {
  const state = new Map<string, "visiting" | "done">();
  const order: string[] = [];
  const path: string[] = [];
  const visit = (id: string) => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      const cycle = [...path.slice(path.indexOf(id)), id];
      throw new Error(`dependency cycle: ${cycle.join(" → ")} (each needs the next as input)`);
    }
    state.set(id, "visiting");
    path.push(id);
    for (const u of upstream.get(id)!) visit(u);
    path.pop();
    state.set(id, "done");
    order.push(id);
  };
  ids.forEach(visit);
  return order;
}

/** How targets extend to a selection. */
export interface SelectOptions {
  /** Stage names or instance ids; empty selects every node. */
  readonly targets: readonly string[];
  /** Also select everything downstream of the targets (`--from`). */
  readonly downstream?: boolean;
}

/** The nodes a list of targets names (a stage name selects all its instances), in DAG order. */
export function selectNodes(dag: Dag, options: SelectOptions): DagNode[] {
  if (options.targets.length === 0) return [...dag.nodes];
  const chosen = new Set<DagNode>();
  for (const target of options.targets) {
    const matches = dag.nodes.filter((n) =>
      n.instance.id === target || n.instance.definition.name === target
    );
    if (matches.length === 0) {
      const names = [...new Set(dag.nodes.map((n) => n.instance.definition.name))];
      throw new Error(`unknown target "${target}" (stages: ${names.join(", ")})`);
    }
    matches.forEach((m) => chosen.add(m));
  }
  if (options.downstream) {
    const stack = [...chosen];
    while (stack.length) {
      for (const d of stack.pop()!.downstream) {
        if (!chosen.has(d)) chosen.add(d), stack.push(d);
      }
    }
  }
  return dag.nodes.filter((n) => chosen.has(n));
}

/** The nodes plus everything upstream of them, in DAG order. */
export function withUpstream(dag: Dag, nodes: readonly DagNode[]): DagNode[] {
  const all = new Set<DagNode>();
  const stack = [...nodes];
  while (stack.length) {
    const n = stack.pop()!;
    if (all.has(n)) continue;
    all.add(n);
    stack.push(...n.upstream);
  }
  return dag.nodes.filter((n) => all.has(n));
}

/**
 * The DAG as text: one line per instance with the instances and paths it reads; a long list input
 * shows its first few instances and how many more (all of them when `verbose`).
 */
export function dagText(dag: Dag, verbose = false): string {
  return dag.nodes.map((n) => {
    const ins = [...n.inputs].map(([name, r]) =>
      `${name}=${
        r.kind === "external"
          ? r.path
          : r.kind === "one"
          ? r.node.instance.id
          : `[${abbreviateList(r.nodes.map((x) => x.instance.id), verbose)}]`
      }`
    );
    return ins.length ? `${n.instance.id} ← ${ins.join("; ")}` : n.instance.id;
  }).join("\n");
}

/** The DAG as a Mermaid flowchart. */
export function dagMermaid(dag: Dag): string {
  const index = new Map(dag.nodes.map((n, i) => [n, `s${i}`]));
  const lines = ["flowchart TD"];
  for (const n of dag.nodes) {
    lines.push(`  ${index.get(n)}["${n.instance.id.replaceAll('"', "#quot;")}"]`);
  }
  const externals = new Map<string, string>();
  for (const n of dag.nodes) {
    for (const r of n.inputs.values()) {
      if (r.kind === "external") {
        if (!externals.has(r.path)) {
          externals.set(r.path, `x${externals.size}`);
          lines.push(`  ${externals.get(r.path)}[("${r.path}")]`);
        }
        lines.push(`  ${externals.get(r.path)} --> ${index.get(n)}`);
      }
    }
    for (const u of n.upstream) lines.push(`  ${index.get(u)} --> ${index.get(n)}`);
  }
  return lines.join("\n");
}
