/**
 * Verified, resumable downloads: bytes go to `<path>.part` (continued with an HTTP Range request
 * after an interruption), are checked against a known checksum, then renamed onto `<path>`, so
 * a finished file is always complete and verified.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname } from "@std/path";
import { gunzip } from "./idx.ts";

/** A known checksum: of the file itself, or of its gunzipped contents. */
export interface Checksum {
  algorithm: "sha256" | "md5";
  hex: string;
  /** `gunzip`: the digest is of the decompressed bytes (so one value fits every mirror). */
  of?: "file" | "gunzip";
}

/** The hex digest of bytes. */
export function digest(bytes: Uint8Array, algorithm: "sha256" | "md5" = "sha256"): string {
  return createHash(algorithm).update(bytes).digest("hex");
}

/** Checks bytes against a checksum; returns the digest found, throws a clear error on mismatch. */
export async function verifyChecksum(
  bytes: Uint8Array,
  checksum: Checksum,
  name: string,
): Promise<string> {
  const content = checksum.of === "gunzip" ? await gunzip(bytes, name) : bytes;
  const found = digest(content, checksum.algorithm);
  if (found !== checksum.hex) {
    const what = checksum.of === "gunzip" ? "decompressed contents" : "file";
    throw new Error(
      `${name}: ${checksum.algorithm} of the ${what} is ${found}, expected ${checksum.hex} ` +
        "(corrupt or a different version)",
    );
  }
  return found;
}

/** Options of {@linkcode downloadVerified}. */
export interface DownloadOptions {
  /** What to tell the user when the download fails (e.g. which package provides the data). */
  hint?: string;
  /** The fetch to use (tests pass their own). */
  fetch?: typeof fetch;
}

/**
 * Ensures `path` holds the verified contents of `url`: returns at once when it already does,
 * resumes a partial download, and throws an error naming the URL when the network fails.
 */
export async function downloadVerified(
  url: string,
  path: string,
  checksum: Checksum,
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  const existing = await readIfExists(path);
  if (existing) {
    await verifyChecksum(existing, checksum, path);
    return existing;
  }
  await Deno.mkdir(dirname(path), { recursive: true });
  const part = `${path}.part`;
  const have = (await readIfExists(part))?.length ?? 0;
  const doFetch = options.fetch ?? fetch;
  const fail = (why: string) =>
    new Error(`download of ${url} failed: ${why}${options.hint ? `; ${options.hint}` : ""}`);
  let response: Response;
  try {
    response = await doFetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  } catch (e) {
    throw fail(e instanceof Error ? e.message : String(e));
  }
  if (response.status === 206 && have > 0) {
    await appendBody(response, part, true);
  } else if (response.ok) {
    await appendBody(response, part, false); // a server that ignores Range sends it all
  } else {
    await response.body?.cancel();
    throw fail(`HTTP ${response.status} ${response.statusText}`);
  }
  const bytes = await Deno.readFile(part);
  try {
    await verifyChecksum(bytes, checksum, url);
  } catch (e) {
    await Deno.remove(part);
    throw e;
  }
  await Deno.rename(part, path);
  return bytes;
}

async function appendBody(response: Response, part: string, append: boolean): Promise<void> {
  const file = await Deno.open(part, { write: true, create: true, append, truncate: !append });
  try {
    if (response.body) await response.body.pipeTo(file.writable);
    else file.close();
  } catch (e) {
    throw new Error(
      `download into ${part} was interrupted (${e instanceof Error ? e.message : e})`,
    );
  }
}

async function readIfExists(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
