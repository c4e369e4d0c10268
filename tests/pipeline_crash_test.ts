/**
 * End to end: kill -9 of the runner and of a stage in mid-write (then resume), two concurrent
 * runners on one artifacts directory, and parallel stages that actually overlap in time.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { DEFAULT_INSTANCES, FixtureProject, StderrWatcher } from "./pipeline_fixture.ts";
import { ranInstances } from "./cli_runs.ts";

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

async function leftovers(root: string): Promise<string[]> {
  const found: string[] = [];
  for await (const s of Deno.readDir(`${root}/artifacts`)) {
    if (!s.isDirectory || s.name.startsWith(".")) continue;
    for await (const e of Deno.readDir(`${root}/artifacts/${s.name}`)) {
      if (/^\.(tmp|lock)-/.test(e.name)) found.push(`${s.name}/${e.name}`);
    }
  }
  return found;
}

Deno.test("kill -9 of the runner mid-write: nothing half-written is valid, the next run resumes", async () => {
  const p = await FixtureProject.create({ broken: ["slow-write"] });
  try {
    const child = p.spawn("run", "--jobs", "2");
    const watcher = new StderrWatcher(child);
    const m = await watcher.waitFor(/\[broken\[mode=slow-write\]\] pid (\d+) writing/);
    const stagePid = Number(m[1]);
    child.kill("SIGKILL");
    await child.status;
    await watcher.done;
    // The orphaned stage notices that its runner died and exits.
    assert(await waitUntilDead(stagePid, 5000), "the stage subprocess outlived its runner");
    const finishedBefore = ranInstances(watcher.text);

    const status = await p.cli("status");
    assertMatch(status.stdout, /^missing +broken\[mode=slow-write\]: never run$/m);

    const resume = await p.cli("run", "--jobs", "2");
    assertEquals(resume.code, 0, resume.stderr);
    assertMatch(resume.stderr, /broke a stale lock of pid \d+ on /);
    assert(ranInstances(resume.stderr).includes("broken[mode=slow-write]"));
    for (const id of finishedBefore) {
      assert(!ranInstances(resume.stderr).includes(id), `${id} ran twice`);
    }
    const out = await Deno.readFile(
      `${await p.artifactDir("broken", "broken[mode=slow-write]")}/out.bin`,
    );
    assertEquals(out.length, 100 * 1024);
    // The killed run's temporary directories are left (never taken as valid), and so is the free
    // lock file of an instance it had committed but not yet unlocked when the kill came; gc
    // removes both.
    const left = await leftovers(p.root);
    assert(left.some((l) => l.startsWith("broken/.tmp-")), left.join(" "));
    const gc = await p.cli("gc");
    assertMatch(gc.stdout, /^removed broken\/\.tmp-/m);
    assertEquals(await leftovers(p.root), []);
  } finally {
    await p.dispose();
  }
});

Deno.test("kill -9 of a stage mid-write: it fails cleanly, the rest finishes, a rerun completes", async () => {
  const p = await FixtureProject.create({ broken: ["slow-write"] });
  try {
    const child = p.spawn("run", "--jobs", "2");
    const watcher = new StderrWatcher(child);
    const m = await watcher.waitFor(/\[broken\[mode=slow-write\]\] pid (\d+) writing/);
    Deno.kill(Number(m[1]), "SIGKILL");
    const status = await child.status;
    await watcher.done;
    assertEquals(status.code, 1);
    assertMatch(watcher.text, /FAILED +broken\[mode=slow-write\]: killed by signal SIGKILL/);
    assertMatch(watcher.text, /summary +7 ran, 0 fresh, 0 reused, 1 failed, 0 skipped/);
    assertEquals(await leftovers(p.root), []);
    const again = await p.cli("run");
    assertEquals(again.code, 0, again.stderr);
    assertEquals(ranInstances(again.stderr), ["broken[mode=slow-write]"]);
  } finally {
    await p.dispose();
  }
});

Deno.test("two concurrent runners share the work: each instance runs once, both succeed", async () => {
  const p = await FixtureProject.create({ sleepMs: 600 });
  try {
    const a = p.spawn("run", "--jobs", "2");
    const b = p.spawn("run", "--jobs", "2");
    const [ra, rb] = await Promise.all([a.output(), b.output()]);
    const dec = new TextDecoder();
    const ea = dec.decode(ra.stderr);
    const eb = dec.decode(rb.stderr);
    assertEquals([ra.code, rb.code], [0, 0], ea + eb);
    const all = [...ranInstances(ea), ...ranInstances(eb)].sort();
    assertEquals(all, DEFAULT_INSTANCES);
    assertMatch(ea + eb, /^(reused|wait) /m); // they did meet on at least one instance
    // A runner locks only what it is running, so both got work to do.
    assert(
      ranInstances(ea).length > 0 && ranInstances(eb).length > 0,
      `${ranInstances(ea)} | ${ranInstances(eb)}`,
    );
    const status = await p.cli("status");
    assertMatch(status.stdout, /7 fresh, 0 stale, 0 missing/);
  } finally {
    await p.dispose();
  }
});

Deno.test("independent stages run in parallel with --jobs 2 and one at a time with --jobs 1, each told its share of the cores", async () => {
  for (const jobs of [2, 1]) {
    const p = await FixtureProject.create({ sleepMs: 800, sweep: { n: [1], seed: [0, 1] } });
    try {
      const r = await p.cli("run", "--jobs", String(jobs), "count");
      assertEquals(r.code, 0, r.stderr);
      const spans = [];
      for (const seed of [0, 1]) {
        const dir = await p.artifactDir("count", `count[n=1,seed=${seed}]`);
        spans.push(JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`)).recorded);
      }
      const overlap = Math.min(spans[0].ended, spans[1].ended) -
        Math.max(spans[0].started, spans[1].started);
      if (jobs === 2) assert(overlap > 400, `expected overlap, got ${overlap} ms`);
      else assert(overlap <= 0, `expected no overlap, got ${overlap} ms`);
      // PIPELINE_CORES at each start: all the cores alone; the second of two running at once
      // gets what the first left free, at least one.
      const cores = [...r.stderr.matchAll(/\] pid \d+, cores (\d+)/g)].map((m) => Number(m[1]));
      const all = navigator.hardwareConcurrency;
      assertEquals(
        cores.sort((a, b) => a - b),
        jobs === 2 ? [1, all] : [all, all],
      );
    } finally {
      await p.dispose();
    }
  }
});
