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
