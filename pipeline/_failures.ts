/**
 * Failures within a run: which outcomes count as failed, and the failed or skipped instances
 * upstream of a node, which a `partialInputs` stage is told about (and keyed on).
 *
 * @module
 */
import type { DagNode } from "./graph.ts";
import type { Outcome } from "./run.ts";
import type { UpstreamFailure } from "./stage.ts";

/** True for an instance that produced nothing in this run (failed, or skipped after a failure). */
export function isFailure(o: Outcome): o is Extract<Outcome, { kind: "failed" | "skipped" }> {
  return o.kind === "failed" || o.kind === "skipped";
}

/** Every instance upstream of `node` (direct or not) that failed or was skipped in this run. */
export function upstreamFailures(node: DagNode, outcomes: Map<string, Outcome>): UpstreamFailure[] {
  const seen = new Set<DagNode>(), found: UpstreamFailure[] = [];
  const stack = [...node.upstream];
  while (stack.length) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    stack.push(...u.upstream);
    const o = outcomes.get(u.instance.id);
    if (o && isFailure(o)) {
      const reason = o.kind === "failed" ? o.error.replace(/ \(log: [^)]*\)$/, "") : o.reason;
      found.push({ id: u.instance.id, outcome: o.kind, reason });
    }
  }
  return found.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
