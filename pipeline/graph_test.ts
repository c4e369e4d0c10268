import { assertEquals, assertThrows } from "@std/assert";
import { buildDag, selectNodes, withUpstream } from "./graph.ts";
import { allOf, defineStage, external, type InputRef, upstream } from "./stage.ts";
import { integer } from "./params.ts";

function stage(name: string, inputs: (p: { n: number }) => Record<string, InputRef> = () => ({})) {
  return defineStage({
    name,
    module: import.meta.url,
    params: { n: integer({ default: 0 }) },
    inputs,
    outputs: ["o"],
    run: () => {},
  });
}

const data = stage("data", () => ({ raw: external("raw") }));
const train = stage("train", () => ({ data: upstream("data"), again: data.with({}) }));
const fit = stage("fit", () => ({ runs: allOf("train"), small: allOf("train", { n: 1 }) }));
const report = stage("report", () => ({ fit: upstream("fit") }));

Deno.test("buildDag resolves references and orders upstream first, keeping the list order", () => {
  const runs = train.sweep({ n: [1, 2] });
  const dag = buildDag([report.with({}), fit.with({}), ...runs, data.with({})]);
  assertEquals(dag.nodes.map((n) => n.instance.id), [
    "data",
    "train[n=1]",
    "train[n=2]",
    "fit",
    "report",
  ]);
  const f = dag.byId.get("fit")!;
  assertEquals(f.upstream.map((u) => u.instance.id), ["train[n=1]", "train[n=2]"]);
  const small = f.inputs.get("small")!;
  assertEquals(small.kind === "list" && small.nodes.map((n) => n.instance.id), ["train[n=1]"]);
  assertEquals(dag.byId.get("data")!.downstream.map((d) => d.instance.id), [
    "train[n=1]",
    "train[n=2]",
  ]);
});

Deno.test("selection: names, ids, downstream, upstream", () => {
  const dag = buildDag([
    data.with({}),
    ...train.sweep({ n: [1, 2] }),
    fit.with({}),
    report.with({}),
  ]);
  const ids = (ns: { instance: { id: string } }[]) => ns.map((n) => n.instance.id);
  assertEquals(ids(selectNodes(dag, { targets: ["train"] })), ["train[n=1]", "train[n=2]"]);
  assertEquals(ids(selectNodes(dag, { targets: ["train[n=2]"], downstream: true })), [
    "train[n=2]",
    "fit",
    "report",
  ]);
  assertEquals(ids(withUpstream(dag, selectNodes(dag, { targets: ["fit"] }))), [
    "data",
    "train[n=1]",
    "train[n=2]",
    "fit",
  ]);
  assertThrows(
    () => selectNodes(dag, { targets: ["nope"] }),
    Error,
    `unknown target "nope" (stages: data, train, fit, report)`,
  );
});

Deno.test("buildDag errors: missing input, duplicate, two stages of one name, cycle, mismatched params", () => {
  assertThrows(
    () => buildDag([report.with({})]),
    Error,
    `stage report: input "fit" needs fit, which is not in the pipeline`,
  );
  assertThrows(
    () => buildDag([fit.with({})]),
    Error,
    `stage fit: input "runs" needs all instances of train, and the pipeline has none`,
  );
  assertThrows(
    () => buildDag([data.with({}), data.with({})]),
    Error,
    "stage instance data is listed twice in the pipeline",
  );
  const impostor = stage("data");
  assertThrows(
    () => buildDag([data.with({}), impostor.with({}, ["n"])]),
    Error,
    `two different stages are named "data"`,
  );
  const a = stage("a", () => ({ x: upstream("b") }));
  const b = stage("b", () => ({ y: upstream("c") }));
  const c = stage("c", () => ({ z: upstream("a") }));
  assertThrows(
    () => buildDag([a.with({}), b.with({}), c.with({})]),
    Error,
    "dependency cycle: a → b → c → a (each needs the next as input)",
  );
  const t = stage("t", () => ({ d: data.with({ n: 5 }) }));
  assertThrows(
    () => buildDag([data.with({}), t.with({})]),
    Error,
    `input "d" needs data with parameters {"n":5}, but the pipeline has it with {"n":0}`,
  );
  const odd = stage("odd", () => ({ d: 42 as unknown as InputRef }));
  assertThrows(() => buildDag([odd.with({})]), Error, `input "d" must be a stage instance`);
});
