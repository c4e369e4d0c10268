import { assertEquals, assertThrows } from "@std/assert";
import { boolean, integer, list, number, oneOf, string, validateParams } from "./params.ts";

const schema = {
  lr: number({ min: 0 }),
  seed: integer({ min: 0, default: 0 }),
  solver: oneOf(["gd", "euler"]),
  tag: string({ default: "" }),
  half: boolean({ default: false }),
  sizes: list(integer({ min: 1 }), { default: [] }),
};

Deno.test("validateParams fills defaults and keeps given values", () => {
  assertEquals(validateParams("train", schema, { lr: 0.01, solver: "gd" }), {
    lr: 0.01,
    seed: 0,
    solver: "gd",
    tag: "",
    half: false,
    sizes: [],
  });
});

Deno.test("validateParams names each bad field and the allowed values", () => {
  assertThrows(
    () => validateParams("train", schema, { lrr: 1, solver: "adam", seed: 1.5, sizes: [0] }),
    Error,
    `stage train: unknown parameter "lrr" (allowed: lr, seed, solver, tag, half, sizes); ` +
      "missing parameter lr (a finite number ≥ 0); parameter seed must be an integer ≥ 0, got 1.5; " +
      `parameter solver must be one of "gd", "euler", got "adam"; ` +
      "parameter sizes must be a list, each item an integer ≥ 1, got [0]",
  );
  assertThrows(
    () => validateParams("t", { x: number({ min: 0, max: 1 }) }, { x: Infinity }),
    Error,
    "parameter x must be a finite number in [0, 1], got Infinity",
  );
  assertThrows(
    () => validateParams("t", {}, { a: 1 }),
    Error,
    `unknown parameter "a" (allowed: none)`,
  );
});
