import { assertEquals, assertStringIncludes } from "@std/assert";
import { MAX_PARAMETERS, networkSizeProblem } from "./size_limit.ts";

Deno.test("size limit: the paper's largest net fits; P beyond the bound is refused with why", () => {
  // 3072-512-512-512-10: 3072·512 + 512 + 2·(512·512 + 512) + 512·10 + 10 = 2,103,818 parameters.
  assertEquals(networkSizeProblem([3072, 512, 512, 512, 10]), null);
  // 16 GiB over 2 · 24 float64 vectors per parameter.
  assertEquals(MAX_PARAMETERS, Math.floor(2 ** 34 / 384));
  // One width of 10⁶ on 784 inputs and 10 outputs: 784·10⁶ + 10⁶ + 10·10⁶ + 10 = 795,000,010.
  const problem = networkSizeProblem([784, 1_000_000, 10])!;
  assertStringIncludes(problem, "the network 784-1000000-10 has 7.950e+8 parameters");
  assertStringIncludes(problem, "would need 284 GiB, over the 16.0 GiB allowed");
});
