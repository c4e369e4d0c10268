import { assertEquals, assertThrows } from "@std/assert";
import {
  DEFAULT_RESOURCES,
  instanceResources,
  overrideResources,
  parseResourceOption,
  validateResources,
} from "./resources.ts";
import { defineStage } from "./stage.ts";

Deno.test("resources: defaults, then the stage's, then the instance's overrides", () => {
  const train = defineStage({
    name: "train",
    module: import.meta.url,
    params: {},
    outputs: ["o"],
    resources: { cores: 2, timeLimit: "12:00:00" },
    run: () => {},
  });
  const fit = defineStage({
    name: "fit",
    module: import.meta.url,
    params: {},
    outputs: ["o"],
    run: () => {},
  });
  const [t, f] = overrideResources([train.with({}), fit.with({})], {
    train: { memory: "8G", cores: 4 },
  }, "profile resources");
  assertEquals(instanceResources(t), { cores: 4, memory: "8G", timeLimit: "12:00:00", gpus: 0 });
  assertEquals(instanceResources(f), DEFAULT_RESOURCES);
  assertThrows(
    () => overrideResources([t, f], { trian: { cores: 1 } }, "--slurm-resources"),
    Error,
    `--slurm-resources: no stage "trian" in the pipeline (stages: train, fit)`,
  );
});

Deno.test("resources: bad values name the field and what is allowed", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ cores: 0 }, "x.cores: must be an integer ≥ 1, got 0"],
    [{ cores: 1.5 }, "x.cores: must be an integer ≥ 1, got 1.5"],
    [{ gpus: -1 }, "x.gpus: must be an integer ≥ 0, got -1"],
    [{ memory: "4GB" }, `x.memory: must be like 512M, 4G or 1T, got "4GB"`],
    [{ memory: 4 }, "x.memory: must be like 512M, 4G or 1T, got 4"],
    [{ timeLimit: "1:60:00:00" }, `x.timeLimit: must be a non-zero time`],
    [{ timeLimit: "0:00" }, `x.timeLimit: must be a non-zero time`],
    [{ timeLimit: "two hours" }, `x.timeLimit: must be a non-zero time`],
    [{ disk: "1G" }, "x.disk: unknown field; allowed: cores, memory, timeLimit, gpus"],
  ];
  for (const [r, message] of cases) assertThrows(() => validateResources("x", r), Error, message);
  // SLURM's own time formats are accepted.
  for (const t of ["90", "90:30", "2:00:00", "1-12", "1-12:30", "1-12:30:00"]) {
    validateResources("x", { timeLimit: t });
  }
  assertThrows(
    () =>
      defineStage({
        name: "s",
        module: import.meta.url,
        params: {},
        outputs: ["o"],
        resources: { cores: 0 },
        run: () => {},
      }),
    Error,
    "stage s: resources.cores: must be an integer ≥ 1",
  );
});

Deno.test("--slurm-resources STAGE:KEY=VALUE,…: time stands for timeLimit, numbers for cores and gpus", () => {
  assertEquals(parseResourceOption("train:cores=4,memory=8G,time=1-00:00:00,gpus=1"), {
    stage: "train",
    resources: { cores: 4, memory: "8G", timeLimit: "1-00:00:00", gpus: 1 },
  });
  assertThrows(() => parseResourceOption("cores=4"), Error, "must be STAGE:KEY=VALUE");
  assertThrows(() => parseResourceOption("train:cores"), Error, `"cores" must be KEY=VALUE`);
  assertThrows(
    () => parseResourceOption("train:cores=four"),
    Error,
    `--slurm-resources train:cores=four: train.cores: must be an integer ≥ 1, got "four"`,
  );
});
