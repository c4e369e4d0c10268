import { assertEquals, assertThrows } from "@std/assert";
import { integer, number } from "./params.ts";
import { defineStage, external, instanceId } from "./stage.ts";

const train = defineStage({
  name: "train",
  module: import.meta.url,
  params: { n: integer({ min: 1 }), seed: integer({ min: 0 }), lr: number({ default: 0.1 }) },
  outputs: ["a.json", "sub/b.npy"],
  run: () => {},
});

Deno.test("with(): defaults filled, id from the identifying parameters only", () => {
  const one = train.with({ n: 10, seed: 2 });
  assertEquals(one.params, { n: 10, seed: 2, lr: 0.1 });
  assertEquals(one.id, "train");
  assertEquals(train.with({ n: 10, seed: 2 }, ["seed", "n"]).id, "train[n=10,seed=2]");
  assertEquals(instanceId("fit", { kind: "a b" }), `fit[kind="a b"]`);
});

Deno.test("sweep(): the cartesian product of the matrix, ids over its axes", () => {
  const runs = train.sweep({ n: [10, 100], seed: [0, 1, 2] }, { lr: 0.5 });
  assertEquals(runs.map((r) => r.id), [
    "train[n=10,seed=0]",
    "train[n=10,seed=1]",
    "train[n=10,seed=2]",
    "train[n=100,seed=0]",
    "train[n=100,seed=1]",
    "train[n=100,seed=2]",
  ]);
  runs.forEach((r) => assertEquals(r.params.lr, 0.5));
  assertThrows(() => train.sweep({ n: [] }), Error, `sweep over "n" needs a non-empty list`);
  assertThrows(
    () => train.sweep({ n: [0] }, { seed: 0 }),
    Error,
    "parameter n must be an integer ≥ 1, got 0",
  );
});

Deno.test("defineStage rejects bad names, modules and outputs", () => {
  const base = { module: import.meta.url, params: {}, run: () => {} };
  assertThrows(
    () => defineStage({ ...base, name: "9x", outputs: [] }),
    Error,
    `stage name "9x" must start with a letter`,
  );
  assertThrows(
    () => defineStage({ ...base, name: "x", module: "https://a/b.ts", outputs: [] }),
    Error,
    "module must be import.meta.url",
  );
  assertThrows(
    () => defineStage({ ...base, name: "x", outputs: ["../y"] }),
    Error,
    `output "../y" must be a relative path`,
  );
  assertThrows(
    () => defineStage({ ...base, name: "x", outputs: ["a", "a"] }),
    Error,
    `output "a" is declared twice`,
  );
  assertThrows(
    () => defineStage({ ...base, name: "x", outputs: ["manifest.json"] }),
    Error,
    "reserved",
  );
  assertThrows(() => external("../secret"), Error, `without ".."`);
});

Deno.test("outputs may depend on the parameters, and are checked per instance", () => {
  const data = defineStage({
    name: "data",
    module: import.meta.url,
    params: { n: integer({ min: 1 }) },
    outputs: (p) => p.n > 1 ? ["x.npy", "stats.npy"] : ["x.npy"],
    run: () => {},
  });
  assertEquals(data.with({ n: 1 }).outputs, ["x.npy"]);
  assertEquals(data.with({ n: 5 }).outputs, ["x.npy", "stats.npy"]);
  const bad = defineStage({ ...data, outputs: () => ["../escape"] });
  assertThrows(() => bad.with({ n: 1 }), Error, "relative path");
});
