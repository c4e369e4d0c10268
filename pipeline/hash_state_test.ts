import { assertEquals, assertNotEquals } from "@std/assert";
import { HashState } from "./hash_state.ts";
import { sha256Hex } from "./hash.ts";

Deno.test("HashState remembers (size, mtime, inode): unchanged stat means no rehash", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/a.bin`;
  await Deno.writeTextFile(file, "aaaa");
  const old = new Date(Date.now() - 60_000);
  await Deno.utime(file, old, old);
  const state = await HashState.load(`${dir}/state.json`);
  assertEquals((await state.hashFile(file)).hash, sha256Hex("aaaa"));
  await state.save();
  // Same size and mtime restored: the remembered hash is returned (proof that it did not rehash).
  await Deno.writeTextFile(file, "bbbb");
  await Deno.utime(file, old, old);
  const reloaded = await HashState.load(`${dir}/state.json`);
  assertEquals((await reloaded.hashFile(file)).hash, sha256Hex("aaaa"));
  // A new mtime forces a rehash.
  const newer = new Date(Date.now() - 30_000);
  await Deno.utime(file, newer, newer);
  assertEquals((await reloaded.hashFile(file)).hash, sha256Hex("bbbb"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("HashState does not remember a file modified within the last second", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/a.bin`;
  await Deno.writeTextFile(file, "aaaa");
  const state = await HashState.load(`${dir}/state.json`);
  await state.hashFile(file);
  const { mtime } = await Deno.stat(file);
  await Deno.writeTextFile(file, "cccc");
  await Deno.utime(file, mtime!, mtime!);
  assertEquals((await state.hashFile(file)).hash, sha256Hex("cccc"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("hashPath of a directory hashes its sorted listing; forget drops entries", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/d/sub`, { recursive: true });
  await Deno.writeTextFile(`${dir}/d/b.txt`, "b");
  await Deno.writeTextFile(`${dir}/d/sub/a.txt`, "a");
  const state = await HashState.load(`${dir}/state.json`);
  const h = await state.hashPath(`${dir}/d`);
  assertEquals(h.size, 2);
  assertEquals(h.hash, sha256Hex(`${sha256Hex("b")}  b.txt\n${sha256Hex("a")}  sub/a.txt`));
  await Deno.writeTextFile(`${dir}/d/sub/a.txt`, "A");
  assertNotEquals((await state.hashPath(`${dir}/d`)).hash, h.hash);
  await Deno.remove(dir, { recursive: true });
});
