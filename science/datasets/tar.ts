/**
 * A reader for (ustar / GNU) tar archives, enough to unpack the CIFAR-10 binary archive: regular
 * files with their names; other entries (folders, links) are skipped.
 *
 * @module
 */

/** Reads every regular file of an uncompressed tar archive: name → contents. */
export function readTar(bytes: Uint8Array, name = "tar archive"): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number) => {
    const field = bytes.subarray(from, from + length);
    const end = field.indexOf(0);
    return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
  };
  let offset = 0, longName: string | null = null;
  while (offset + 512 <= bytes.length) {
    if (bytes.subarray(offset, offset + 512).every((b) => b === 0)) return files; // end marker
    if (!checksumOk(bytes.subarray(offset, offset + 512))) {
      throw new Error(`${name}: corrupt header at byte ${offset} (checksum mismatch)`);
    }
    const size = parseInt(text(offset + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(bytes[offset + 156] || 0x30);
    const prefix = text(offset + 345, 155);
    let entry = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    longName = null;
    const start = offset + 512;
    if (start + size > bytes.length) {
      throw new Error(`${name}: truncated: "${entry}" needs ${size} bytes, archive ends first`);
    }
    const body = bytes.subarray(start, start + size);
    if (type === "L") longName = new TextDecoder().decode(body).replace(/\0.*$/s, "");
    else if (type === "0" || type === "\0") {
      entry = entry.replace(/^\.\//, "");
      files.set(entry, body.slice());
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name}: truncated: no end-of-archive marker`);
}

function checksumOk(header: Uint8Array): boolean {
  const stored = parseInt(
    new TextDecoder().decode(header.subarray(148, 156)).replace(/\0/g, "").trim(),
    8,
  );
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === stored;
}
