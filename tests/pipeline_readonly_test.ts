/**
 * End to end: a store that cannot be written (a read-only bind mount, a full tmpfs; see
 * deny_writes.ts for how, even as root) still reads: `status`, `dag`, `verify`, `gc --dry-run`, a
 * no-op `run` and `run --dry-run` give their answer and exit 0, the hash cache being only an
 * optimisation; a command that must write fails with one line naming the store and the reason,
 * never a stack trace.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@std/assert";
import { FixtureProject } from "./pipeline_fixture.ts";
import { type Denial, runDenied } from "./deny_writes.ts";

const READ_COMMANDS = [
  ["status"],
  ["dag"],
  ["verify"],
  ["gc", "--dry-run"],
  ["run"],
  ["run", "--dry-run"],
];

/** The fixture's command line, run with `folder` denied writes. */
function cliDenied(p: FixtureProject, denial: Denial, folder: string, ...args: string[]) {
  return runDenied(denial, folder, [Deno.execPath(), "run", "-A", "--quiet", "cli.ts", ...args], {
    cwd: p.root,
  });
}

function noStackTrace(stderr: string, what: string): void {
  assert(!/^\s+at /m.test(stderr), `${what}: a stack trace was printed:\n${stderr}`);
}

/** Proves the denial holds for root: a plain shell write into the folder fails. */
async function assertDenied(denial: Denial, folder: string, cwd: string): Promise<string> {
  const probe = await runDenied(denial, folder, ["sh", "-c", `echo x > '${folder}/probe'`], {
    cwd,
  });
  assert(probe.code !== 0, `${probe.technique}: the folder could still be written`);
  return probe.technique;
}

for (const denial of ["read-only", "full"] as const) {
  Deno.test(`a complete ${denial} store still reads; a run that must write says why in one line`, async () => {
    const p = await FixtureProject.create();
    const store = `${p.root}/artifacts`;
    try {
      assertEquals((await p.cli("run")).code, 0);
      // The hash cache must want saving during the denied commands: forget it, wait past the
      // racy-mtime second so that files are remembered again.
      await Deno.remove(`${store}/.pipeline/hash-state.json`).catch(() => {});
      await new Promise((r) => setTimeout(r, 1100));
      const technique = await assertDenied(denial, store, p.root);
      for (const args of READ_COMMANDS) {
        const r = await cliDenied(p, denial, store, ...args, "--verbose");
        const what = `${args.join(" ")} (${technique})`;
        assertEquals(r.code, 0, `${what}: ${r.stderr}`);
        noStackTrace(r.stderr, what);
        if (args[0] === "status") {
          assertMatch(r.stdout, /^7 fresh, 0 stale, 0 missing$/m, what);
          assertMatch(r.stderr, /^pipeline: note: hash cache not saved \(.*\(os error (28|30)\)/m);
        }
        if (args[0] === "verify") assertMatch(r.stdout, /^7 intact, 0 corrupt$/m, what);
        if (args.join(" ") === "run") assertMatch(r.stderr, /summary +0 ran, 7 fresh/, what);
      }
      await p.setConfig({ lr: 0.02 }); // the four count instances and total become stale
      const status = await cliDenied(p, denial, store, "status");
      assertEquals(status.code, 0);
      assertMatch(status.stdout, /^stale +count\[n=1,seed=0\]: param lr changed 0.01 → 0.02$/m);
      const run = await cliDenied(p, denial, store, "run");
      assertEquals(run.code, 2, run.stderr);
      const reason = denial === "full" ? "No space left on device" : "Read-only file system";
      assertEquals(
        run.stderr.trim(),
        `pipeline: cannot run 5 instance(s): the artifact store ${store} cannot be written ` +
          `(${reason} (os error ${denial === "full" ? 28 : 30}))`,
      );
      const dry = await cliDenied(p, denial, store, "run", "--dry-run");
      assertEquals(dry.code, 0);
      assertMatch(dry.stderr, /^would run count\[n=1,seed=0\]: param lr changed/m);
    } finally {
      await p.dispose();
    }
  });
}

Deno.test("verify on a read-only store reports a corrupt artifact it cannot remove", async () => {
  const p = await FixtureProject.create();
  const store = `${p.root}/artifacts`;
  try {
    assertEquals((await p.cli("run")).code, 0);
    await Deno.writeTextFile(`${await p.artifactDir("source", "source")}/words.json`, "[]");
    const r = await cliDenied(p, "read-only", store, "verify");
    assertEquals(r.code, 1, r.stderr);
    assertMatch(
      r.stdout,
      /^corrupt source\/[0-9a-f]{20}: output corrupt: words\.json \(kept: cannot remove it, Read-only file system \(os error 30\)\)$/m,
    );
    assertMatch(r.stdout, /^6 intact, 1 corrupt$/m);
    noStackTrace(r.stderr, "verify");
  } finally {
    await p.dispose();
  }
});

Deno.test("an empty store that cannot be written: reading commands work, run and gc say why", async () => {
  const p = await FixtureProject.create();
  try {
    // Two cases: an existing empty folder, and a store folder under a read-only parent.
    await Deno.mkdir(`${p.root}/artifacts`);
    await Deno.mkdir(`${p.root}/locked`);
    const cases = [
      { folder: `${p.root}/artifacts`, extra: [] as string[], store: `${p.root}/artifacts` },
      { folder: `${p.root}/locked`, extra: ["--artifacts", "locked/store"], store: "" },
    ];
    cases[1].store = `${p.root}/locked/store`;
    for (const c of cases) {
      for (const args of READ_COMMANDS.filter((a) => a.join(" ") !== "run")) {
        const r = await cliDenied(p, "read-only", c.folder, ...args, ...c.extra);
        assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
        noStackTrace(r.stderr, args.join(" "));
        if (args[0] === "status") assertMatch(r.stdout, /^0 fresh, 0 stale, 7 missing$/m);
      }
      const run = await cliDenied(p, "read-only", c.folder, "run", ...c.extra);
      assertEquals(run.code, 2);
      assertEquals(run.stderr.split("\n").filter((l) => l).length, 1, run.stderr);
      assertStringIncludes(
        run.stderr,
        `pipeline: cannot run 7 instance(s): the artifact store ${c.store} cannot be written ` +
          "(Read-only file system (os error 30))",
      );
      const exists = await Deno.stat(`${p.root}/locked/store`).then(() => true, () => false);
      assert(!exists, "nothing was created under the read-only parent");
    }
  } finally {
    await p.dispose();
  }
});

Deno.test("a store path that is a file or cannot be read is one line naming it", async () => {
  const p = await FixtureProject.create();
  try {
    await Deno.writeTextFile(`${p.root}/afile`, "x");
    for (const args of [["status"], ["run"], ["verify"], ["gc"]]) {
      const r = await p.cli(...args, "--artifacts", "afile");
      assertEquals(r.code, 2);
      assertEquals(r.stderr.trim(), `pipeline: the artifact store ${p.root}/afile is not a folder`);
    }
  } finally {
    await p.dispose();
  }
});
