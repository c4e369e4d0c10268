import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { writeFileAtomic } from "./atomic_write.ts";

Deno.test("writeFileAtomic: writes bytes and text, creates folders, leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "a", "b", "out.bin");
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    assertEquals(await Deno.readFile(path), Uint8Array.of(1, 2, 3));
    await writeFileAtomic(path, "replaced");
    assertEquals(await Deno.readTextFile(path), "replaced");
    const names = [...Deno.readDirSync(join(dir, "a", "b"))].map((e) => e.name);
    assertEquals(names, ["out.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
