import { assert, assertEquals } from "@std/assert";
import { acquireLock } from "./lock.ts";

Deno.test("a lock excludes a second holder until released, and the waiter is told who holds it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  const first = await acquireLock(path);
  assertEquals(first.brokeStale, null);
  assertEquals(await acquireLock(path, { noWait: true }), null);
  let told: unknown = "never";
  let secondAt = 0;
  const second = acquireLock(path, { pollMs: 10, onWait: (h) => (told = h) }).then((l) => {
    secondAt = performance.now();
    return l;
  });
  await new Promise((r) => setTimeout(r, 150));
  assertEquals(secondAt, 0);
  const releasedAt = performance.now();
  await first.release();
  const held = await second;
  assert(secondAt >= releasedAt);
  assertEquals((told as { pid: number }).pid, Deno.pid);
  assertEquals(held.brokeStale, null);
  await held.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a lock held by a process killed with SIGKILL is broken and reported", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  const script = `import { acquireLock } from ${
    JSON.stringify(new URL("./lock.ts", import.meta.url).href)
  };
await acquireLock(${JSON.stringify(path)});
console.log("held");
await new Promise(() => setTimeout(() => {}, 1e9));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "held"
  assertEquals(await acquireLock(path, { noWait: true }), null);
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();
  const lock = await acquireLock(path);
  assertEquals(lock.brokeStale?.pid, child.pid);
  assertEquals(lock.brokeStale?.hostname, Deno.hostname());
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

/** Writes, as another host's process would, a lease at `path` and its heartbeat file. */
async function foreignLease(
  path: string,
  beatAt = new Date(),
): Promise<(n: number) => Promise<void>> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const heartbeat = ".heartbeat-0000aaaa-0000-4000-8000-000000000000";
  const lease = {
    pid: 4242,
    hostname: "another-host",
    startedAt: beatAt.toISOString(),
    nonce: crypto.randomUUID(),
    heartbeat,
  };
  await Deno.writeTextFile(path, JSON.stringify(lease));
  const beat = (n: number, at = new Date()) =>
    Deno.writeTextFile(
      `${dir}/${heartbeat}`,
      JSON.stringify({ pid: 4242, hostname: "another-host", beat: n, at: at.toISOString() }),
    );
  await beat(0, beatAt);
  return beat;
}

Deno.test("another host's lease is kept while its heartbeat moves, and broken once it stands still for staleMs", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  const beat = await foreignLease(path);
  let n = 0;
  const beating = setInterval(() => beat(++n), 40);
  const t0 = performance.now();
  let tookAt = 0;
  const taking = acquireLock(path, { pollMs: 20, staleMs: 300 }).then((l) => {
    tookAt = performance.now();
    return l;
  });
  await new Promise((r) => setTimeout(r, 700));
  assertEquals(tookAt, 0, "a lease whose heartbeat moves is never broken");
  clearInterval(beating);
  const stoppedAt = performance.now();
  const lock = await taking;
  assert(tookAt - stoppedAt >= 250, `broken ${tookAt - stoppedAt} ms after the last beat`);
  assert(tookAt - t0 >= 900);
  assertEquals(lock.brokeStale?.hostname, "another-host");
  assertEquals(lock.brokeStale?.pid, 4242);
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a lease whose heartbeat stamp is older than staleMs plus the allowed clock skew is stale even without waiting", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  await foreignLease(path, new Date(Date.now() - 5 * 60_000));
  const lock = await acquireLock(path, { noWait: true });
  assertEquals(lock?.brokeStale?.hostname, "another-host", "5 minutes old (limit 30 s + 60 s)");
  await lock!.release();
  // A recent stamp: busy for a caller that does not wait.
  await foreignLease(path, new Date(Date.now() - 20_000));
  assertEquals(await acquireLock(path, { noWait: true }), null);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a lease without its heartbeat file, or unreadable, is stale; one of a live process on this host is not", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  await foreignLease(path);
  await Deno.remove(`${dir}/.heartbeat-0000aaaa-0000-4000-8000-000000000000`);
  const a = await acquireLock(path, { noWait: true });
  assertEquals(a?.brokeStale?.pid, 4242);
  await a!.release();
  await Deno.writeTextFile(path, "{not json");
  const b = await acquireLock(path, { noWait: true });
  assert(b, "an unreadable lease is broken");
  await b!.release();
  // A live process of this host (a sleeping child) with a fresh heartbeat keeps its lease.
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const heartbeat = ".heartbeat-0000bbbb-0000-4000-8000-000000000000";
  const host = Deno.hostname();
  await Deno.writeTextFile(
    `${dir}/${heartbeat}`,
    JSON.stringify({ pid: child.pid, hostname: host, beat: 1, at: new Date().toISOString() }),
  );
  const lease = { pid: child.pid, hostname: host, startedAt: "", nonce: "n1", heartbeat };
  await Deno.writeTextFile(path, JSON.stringify(lease));
  assertEquals(await acquireLock(path, { noWait: true }), null);
  child.kill("SIGKILL");
  await child.status;
  const c = await acquireLock(path, { noWait: true });
  assertEquals(c?.brokeStale?.pid, child.pid, "taken at once when that process is gone");
  await c!.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("release leaves a lease that another process took over", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  const lock = await acquireLock(path);
  const other = JSON.stringify({ pid: 1, hostname: "h", startedAt: "", nonce: "x", heartbeat: "" });
  await Deno.writeTextFile(path, other);
  await lock.release();
  assertEquals(await Deno.readTextFile(path), other);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("processes racing to break one stale lease: exactly one holds it at a time", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/x.lock`;
  await foreignLease(path, new Date(Date.now() - 10 * 60_000)); // stale for everyone
  const log = `${dir}/holders.log`;
  const script = `import { acquireLock } from ${
    JSON.stringify(new URL("./lock.ts", import.meta.url).href)
  };
const lock = await acquireLock(${JSON.stringify(path)}, { pollMs: 5 });
const at = () => performance.timeOrigin + performance.now();
Deno.writeTextFileSync(${JSON.stringify(log)}, "in " + at() + "\\n", { append: true });
await new Promise((r) => setTimeout(r, 150));
Deno.writeTextFileSync(${JSON.stringify(log)}, "out " + at() + "\\n", { append: true });
await lock.release();`;
  const children = Array.from(
    { length: 4 },
    () => new Deno.Command(Deno.execPath(), { args: ["eval", script] }).spawn(),
  );
  for (const c of children) assert((await c.status).success);
  const events = (await Deno.readTextFile(log)).trim().split("\n").map((l) => {
    const [kind, t] = l.split(" ");
    return { kind, t: Number(t) };
  }).sort((a, b) => a.t - b.t);
  assertEquals(events.length, 8);
  let inside = 0;
  for (const e of events) {
    inside += e.kind === "in" ? 1 : -1;
    assert(inside <= 1, "two holders at once");
  }
  await Deno.remove(dir, { recursive: true });
});
