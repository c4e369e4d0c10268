import { assert, assertEquals, assertMatch } from "@std/assert";
import type { StageJob } from "../context.ts";
import {
  batchScript,
  jobDirOf,
  loggedExitStatus,
  LogTail,
  scriptMessage,
  shellQuote,
} from "./job_files.ts";

const ENGINE = new URL("../mod.ts", import.meta.url).href;

Deno.test("the batch script runs the worker with the local permissions, a scratch TMPDIR, the allocation's cores, and logs its start and exit", async () => {
  const root = await Deno.makeTempDir({ prefix: "job-files-" });
  try {
    await Deno.writeTextFile(
      `${root}/stage.ts`,
      `import { defineStage } from "${ENGINE}";
export const s = defineStage({
  name: "s",
  module: import.meta.url,
  params: {},
  outputs: ["out.txt"],
  run: async (ctx) => {
    ctx.log("cores " + Deno.env.get("PIPELINE_CORES") + ", tmp " + Deno.env.get("TMPDIR"));
    await Deno.writeTextFile(Deno.env.get("TMPDIR") + "/scratch.txt", "scratch is writable");
    await Deno.writeTextFile(ctx.output("out.txt"), Deno.cwd());
    if (Deno.env.get("ESCAPE")) await Deno.writeTextFile("${root}/escaped.txt", "x");
  },
});
`,
    );
    const stageDir = `${root}/artifacts/s`;
    const job: StageJob = {
      module: `file://${root}/stage.ts`,
      stage: "s",
      instanceId: "s[it's=1]",
      params: {},
      inputs: {},
      outDir: `${stageDir}/.tmp-abc-1`,
      workDir: `${stageDir}/.work-abc`,
      outputs: ["out.txt"],
      projectRoot: root,
    };
    await Deno.mkdir(job.outDir, { recursive: true });
    await Deno.mkdir(job.workDir, { recursive: true });
    assertEquals(jobDirOf(job.workDir), `${stageDir}/.slurm-abc`);
    await Deno.writeTextFile(`${root}/job.json`, JSON.stringify(job));
    const script = batchScript(job, `${root}/job.json`, Deno.execPath());
    await Deno.writeTextFile(`${root}/job.sh`, script);
    const run = async (env: Record<string, string>) => {
      const out = await new Deno.Command("bash", {
        args: [`${root}/job.sh`],
        env: { SLURM_CPUS_PER_TASK: "3", TMPDIR: root, ...env },
        stdout: "piped",
        stderr: "piped",
        cwd: "/",
      }).output();
      const log = `${root}/run.log`;
      const text = new TextDecoder();
      await Deno.writeTextFile(log, text.decode(out.stdout) + text.decode(out.stderr));
      return { code: out.code, log, text: await Deno.readTextFile(log) };
    };

    const ok = await run({});
    assertEquals(ok.code, 0, ok.text);
    assertEquals(await Deno.readTextFile(`${job.outDir}/out.txt`), root, "runs in the project");
    assertMatch(ok.text, /cores 3, tmp .*pipeline-scratch-/);
    const lines = await new LogTail(ok.log).read();
    const started = scriptMessage(lines[0]);
    const exit = scriptMessage(lines.at(-1)!);
    assertEquals(started?.t, "slurm-started");
    assertEquals(exit?.t === "slurm-exit" && exit.status, 0);
    assert(exit!.at >= started!.at && Math.abs(started!.at - Date.now()) < 60_000);
    assertEquals(await loggedExitStatus(ok.log), 0);
    const scratch = [...Deno.readDirSync(root)].filter((e) =>
      e.name.startsWith("pipeline-scratch")
    );
    assertEquals(scratch, [], "the scratch folder is removed");

    const escaped = await run({ ESCAPE: "1" });
    assertEquals(escaped.code, 1, "writing outside the output, work and scratch folders fails");
    assertMatch(escaped.text, /NotCapable|Requires write access/);
    assertEquals(await loggedExitStatus(escaped.log), 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LogTail returns complete lines only and keeps the last non-message lines", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.log`;
  const tail = new LogTail(path, 2);
  assertEquals(await tail.read(), [], "no file yet");
  await Deno.writeTextFile(path, 'a\nb\n\x1e{"t":"log","line":"m"}\nc');
  assertEquals(await tail.read(), ["a", "b", '\x1e{"t":"log","line":"m"}']);
  assertEquals(tail.lastLines, ["b", "m"], "a stage's log message counts by its text");
  await Deno.writeTextFile(path, 'd\n\x1e{"t":"progress","done":1,"total":2}\n', { append: true });
  assertEquals(await tail.read(), ["cd", '\x1e{"t":"progress","done":1,"total":2}']);
  assertEquals(tail.lastLines, ["m", "cd"], "a progress message does not count");
  assertEquals(shellQuote("it's"), `'it'\\''s'`);
  await Deno.remove(dir, { recursive: true });
});
