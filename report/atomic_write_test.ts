import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { writeFileAtomic } from "./atomic_write.ts";

Deno.test("writeFileAtomic writes text and bytes, creates the directory, leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const textPath = join(dir, "sub", "a.txt");
    await writeFileAtomic(textPath, "first");
    await writeFileAtomic(textPath, "second");
    assertEquals(await Deno.readTextFile(textPath), "second");
    assertEquals((await Deno.stat(textPath)).mode! & 0o777, 0o644);
    const bytesPath = join(dir, "sub", "b.bin");
    await writeFileAtomic(bytesPath, new Uint8Array([0, 1, 255]));
    assertEquals(Array.from(await Deno.readFile(bytesPath)), [0, 1, 255]);
    const names = [...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name).sort();
    assertEquals(names, ["a.txt", "b.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
