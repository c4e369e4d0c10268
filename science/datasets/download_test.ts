import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { digest, downloadVerified, verifyChecksum } from "./download.ts";

const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251);
// SHA-256 and MD5 of `payload`, computed independently with coreutils (sha256sum, md5sum).
async function coreutilsDigest(tool: string, bytes: Uint8Array): Promise<string> {
  const child = new Deno.Command(tool, { stdin: "piped", stdout: "piped" }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(bytes);
  await writer.close();
  return new TextDecoder().decode((await child.output()).stdout).slice(
    0,
    tool === "md5sum" ? 32 : 64,
  );
}

/** A local HTTP server that honours Range requests and counts what it sent. */
function serve() {
  const log: { range: string | null; sent: number }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    if (!req.url.endsWith("/data.bin")) {
      return new Response("no", { status: 404, statusText: "Not Found" });
    }
    const range = req.headers.get("range");
    const from = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const body = payload.slice(from);
    log.push({ range, sent: body.length });
    return new Response(body, { status: range ? 206 : 200 });
  });
  return { server, log, base: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test("download: fetches, verifies against coreutils digests, and caches", async () => {
  const sha = await coreutilsDigest("sha256sum", payload);
  assertEquals(digest(payload), sha);
  assertEquals(digest(payload, "md5"), await coreutilsDigest("md5sum", payload));
  const { server, log, base } = serve();
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sub", "data.bin");
    const got = await downloadVerified(`${base}/data.bin`, path, { algorithm: "sha256", hex: sha });
    assertEquals(got, payload);
    assertEquals(await Deno.readFile(path), payload);
    await downloadVerified(`${base}/data.bin`, path, { algorithm: "sha256", hex: sha });
    assertEquals(log.length, 1, "a verified file is not fetched again");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: resumes a partial file with a Range request", async () => {
  const { server, log, base } = serve();
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "data.bin");
    await Deno.writeFile(`${path}.part`, payload.subarray(0, 1234));
    const hex = digest(payload, "md5");
    await downloadVerified(`${base}/data.bin`, path, { algorithm: "md5", hex });
    assertEquals(log, [{ range: "bytes=1234-", sent: 5000 - 1234 }]);
    assertEquals(await Deno.readFile(path), payload);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: checksum mismatch, HTTP errors and no network are clear errors", async () => {
  const { server, base } = serve();
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "data.bin");
    const wrong = { algorithm: "sha256" as const, hex: "0".repeat(64) };
    await assertRejects(
      () => downloadVerified(`${base}/data.bin`, path, wrong),
      Error,
      `expected ${"0".repeat(64)}`,
    );
    assert(
      !(await Deno.stat(`${path}.part`).then(() => true, () => false)),
      "bad bytes are removed",
    );
    await assertRejects(
      () => downloadVerified(`${base}/missing.bin`, path, wrong, { hint: "install package X" }),
      Error,
      `download of ${base}/missing.bin failed: HTTP 404 Not Found; install package X`,
    );
    const offline = () => Promise.reject(new TypeError("dns error: no such host"));
    await assertRejects(
      () =>
        downloadVerified("https://example.invalid/f.gz", path, wrong, {
          fetch: offline,
          hint: "install Y",
        }),
      Error,
      "download of https://example.invalid/f.gz failed: dns error: no such host; install Y",
    );
    await assertRejects(
      () => verifyChecksum(payload, { algorithm: "sha256", hex: "ab", of: "gunzip" }, "p"),
      Error,
      "p: corrupt or truncated gzip",
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
