import { assertEquals } from "@std/assert";
import { explain, type KeyParts } from "./status.ts";
import type { Manifest } from "./store.ts";

const latest = {
  params: { lr: 0.01, seed: 1, solver: "gd" },
  code: {
    hash: "c0",
    method: "runtime code",
    files: { "science/eigen.ts": "e0", "stages/train.ts": "t0", "old.ts": "o" },
    dependencies: ["npm:a@1.0.0"],
  },
  inputs: {
    data: { hash: "d0", from: "data/fashion" },
    runs: [{ hash: "r0", from: "train[n=1]" }],
  },
} as unknown as Manifest;

Deno.test("explain names each changed parameter, code file, dependency and input", () => {
  const parts: KeyParts = {
    key: "k",
    code: {
      hash: "c1",
      method: "runtime code",
      files: { "science/eigen.ts": "e1", "stages/train.ts": "t0", "new.ts": "n" },
      dependencies: ["npm:a@1.1.0"],
    },
    inputs: {
      data: { hash: "d1", from: "data/fashion" },
      runs: [{ hash: "r1", from: "train[n=1]" }, { hash: "r2", from: "train[n=2]" }],
    },
  };
  assertEquals(explain({ lr: 0.02, seed: 1, solver: "gd", extra: true }, parts, latest), [
    "param extra changed (none) → true",
    "param lr changed 0.01 → 0.02",
    "code changed: new.ts (new), old.ts (no longer imported), science/eigen.ts",
    "dependencies changed: +npm:a@1.1.0 -npm:a@1.0.0",
    "input data changed (data/fashion)",
    "input runs changed (train[n=1], +train[n=2])",
  ]);
});

Deno.test("explain is empty when nothing differs", () => {
  const parts: KeyParts = {
    key: "k",
    code: latest.code as KeyParts["code"],
    inputs: latest.inputs,
  };
  assertEquals(explain({ lr: 0.01, seed: 1, solver: "gd" }, parts, latest), []);
});

Deno.test("explain names a module moved with its runtime code unchanged as a move", () => {
  const parts: KeyParts = {
    key: "k",
    code: {
      hash: "c1",
      method: "runtime code",
      files: { "science/eigen.ts": "e0", "stages/train.ts": "t1", "lib/old.ts": "o" },
      dependencies: ["npm:a@1.0.0"],
    },
    inputs: latest.inputs,
  };
  assertEquals(explain({ lr: 0.01, seed: 1, solver: "gd" }, parts, latest), [
    "code changed: old.ts → lib/old.ts (moved), stages/train.ts",
  ]);
});

Deno.test("explain says the fingerprint method changed instead of listing every file", () => {
  const before = { ...latest, code: { ...latest.code, method: undefined } } as Manifest;
  const parts: KeyParts = {
    key: "k",
    code: { ...latest.code, hash: "c2", method: "runtime code" },
    inputs: latest.inputs,
  };
  assertEquals(explain({ lr: 0.01, seed: 1, solver: "gd" }, parts, before), [
    "code fingerprint method changed (source text → runtime code)",
  ]);
});

Deno.test("explain cuts a long parameter value short", () => {
  const parts: KeyParts = {
    key: "k",
    code: latest.code as KeyParts["code"],
    inputs: latest.inputs,
  };
  const long = ["a sentence of a report's deviations that runs on", "and another one"];
  const [reason] = explain({ lr: 0.01, seed: 1, solver: "gd", notes: long }, parts, latest);
  assertEquals(
    reason,
    `param notes changed (none) → ${JSON.stringify(long).slice(0, 57)}…`,
  );
});
