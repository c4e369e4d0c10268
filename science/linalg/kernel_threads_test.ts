import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  helpersFor,
  helperTasksPosted,
  type KernelTask,
  runWithHelpers,
  setKernelThreads,
  shared,
  splitEvenly,
} from "./kernel_threads.ts";
import { withKernelThreads } from "../testing/with_kernel_threads.ts";

const sharedVector = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));

Deno.test("splitEvenly covers [0, units) in order, parts differing by at most one unit", () => {
  assertEquals(splitEvenly(7, 2), [[0, 3], [3, 7]]);
  assertEquals(splitEvenly(25, 3), [[0, 8], [8, 16], [16, 25]]);
  assertEquals(splitEvenly(1, 1), [[0, 1]]);
  assertEquals(splitEvenly(0, 1), [[0, 0]]);
});

Deno.test("helpersFor: none for small work, unshared vectors or a single part", () => {
  const vectors = [sharedVector(4), sharedVector(4)];
  withKernelThreads(3, () => {
    assertEquals(helpersFor(1 << 22, 10, vectors), 3);
    assertEquals(helpersFor(1 << 22, 2, vectors), 1);
    assertEquals(helpersFor(1 << 22, 1, vectors), 0);
    assertEquals(helpersFor(1000, 10, vectors), 0);
    assertEquals(helpersFor(1 << 22, 10, [...vectors, new Float64Array(4)]), 0);
  });
  withKernelThreads(0, () => assertEquals(helpersFor(1 << 22, 10, vectors), 0));
});

Deno.test("setKernelThreads names the rule it enforces", () => {
  assertThrows(() => setKernelThreads(-1), Error, "integer in 0..64, got -1");
  assertThrows(() => setKernelThreads(1.5), Error, "integer in 0..64, got 1.5");
});

Deno.test("runWithHelpers runs each task on a helper and its own share here", () => {
  const v = sharedVector(10);
  const vector = shared(v);
  const posted = helperTasksPosted();
  // Two helpers subtract 1·v from v on [2, 5) and [5, 10) (v := 0 there); this thread sets [0, 2).
  v.fill(7);
  const task = (lo: number, hi: number): KernelTask => ({
    kind: "subtract",
    vectors: [vector],
    basis: [vector],
    coefficients: [[1]],
    lo,
    hi,
  });
  runWithHelpers([task(2, 5), task(5, 10)], () => v.fill(-1, 0, 2));
  assertEquals(Array.from(v), [-1, -1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(helperTasksPosted() - posted, 2);
});

Deno.test("an error on the main thread is thrown once the helpers are done", () => {
  const n = 1 << 21, v = sharedVector(n);
  v.fill(3);
  const halve: KernelTask = {
    kind: "subtract",
    vectors: [shared(v)],
    basis: [shared(v)],
    coefficients: [[0.5]],
    lo: 0,
    hi: n,
  };
  assertThrows(
    () =>
      runWithHelpers([halve], () => {
        throw new Error("own share failed");
      }),
    Error,
    "own share failed",
  );
  // The helper had finished its whole share by then.
  assertEquals(v.every((x) => x === 1.5), true);
});

Deno.test("a helper's error is thrown on the main thread", () => {
  const bogus = { kind: "bogus" } as unknown as KernelTask;
  assertThrows(
    () => runWithHelpers([bogus], () => {}),
    Error,
    "kernel helper thread 0 failed: unknown kernel task bogus",
  );
});

Deno.test("the default helper count follows PIPELINE_CORES: one less, at most 3", async () => {
  const module = new URL("./kernel_threads.ts", import.meta.url).href;
  const helpersWith = async (cores: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { kernelThreads } from "${module}"; console.log(kernelThreads());`,
      ],
      env: { PIPELINE_CORES: cores },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return {
      code: out.code,
      stdout: text.decode(out.stdout).trim(),
      stderr: text.decode(out.stderr),
    };
  };
  assertEquals((await helpersWith("1")).stdout, "0");
  assertEquals((await helpersWith("3")).stdout, "2");
  assertEquals((await helpersWith("16")).stdout, "3");
  const bad = await helpersWith("two");
  assertEquals(bad.code, 1);
  assertStringIncludes(bad.stderr, 'PIPELINE_CORES: must be an integer ≥ 1, got "two"');
});
