/**
 * Atomic file writes: the content goes to a temporary file in the same directory, which is then
 * renamed over the target, so a reader never sees a half-written file.
 *
 * @module
 */
import { dirname } from "@std/path";

/** Writes `data` (text or bytes) to `path` atomically, creating the parent directory if needed. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = await Deno.makeTempFile({ dir, prefix: ".tmp-", suffix: ".part" });
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.chmod(tmp, 0o644); // temp files are created 0600; artifacts are for everyone to read
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
