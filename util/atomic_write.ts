/**
 * Atomic file writes: the bytes go to a temporary file in the same directory, which is then
 * renamed over the target, so a reader never sees a half-written file and a crash leaves none
 * that is taken as the target. The engine uses it too, so it imports nothing but Deno's own API.
 *
 * @module
 */

/** Writes `data` to `path` atomically, creating the parent directory if needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/.tmp-${path.slice(slash + 1)}-${Deno.pid}-${crypto.randomUUID()}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temp, data);
    else await Deno.writeFile(temp, data);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
