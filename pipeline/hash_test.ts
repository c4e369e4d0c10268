import { assertEquals, assertThrows } from "@std/assert";
import { canonicalJson, hashFile, sha256Hex } from "./hash.ts";

Deno.test("sha256Hex matches the FIPS 180-2 test vectors", () => {
  assertEquals(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertEquals(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

Deno.test("hashFile of a 3 MB file equals WebCrypto's digest of its bytes", async () => {
  const dir = await Deno.makeTempDir();
  const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31 + 7) % 251);
  await Deno.writeFile(`${dir}/f.bin`, bytes);
  const reference = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  assertEquals(await hashFile(`${dir}/f.bin`), reference);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("canonicalJson sorts keys at every level and drops undefined members", () => {
  assertEquals(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" }, u: undefined }),
    '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assertThrows(() => canonicalJson({ a: NaN }), Error, "NaN has no JSON form");
});
