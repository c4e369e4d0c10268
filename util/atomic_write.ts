/**
 * Atomic file writes: the bytes go to a temporary file in the same directory, which is then
 * renamed over the target, so a reader never sees a half-written file and a crash leaves none.
 *
 * @module
 */
import { dirname, join } from "@std/path";

/** Writes `data` to `path` atomically, creating the parent directory if needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const temp = join(dir, `.${crypto.randomUUID()}.tmp`);
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data);
    else await Deno.writeFile(temp, data);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
