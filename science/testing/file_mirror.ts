/**
 * A file mirror for download tests: a minimal HTTP/1.1 server on 127.0.0.1 that serves fixed
 * files (`path` → bytes), honours `Range: bytes=N-` (206) and, on request, cuts one file's first
 * answer short (it announces the whole length, sends part of it and closes the connection, as a
 * dropped download looks to the client). Plain TCP rather than Deno.serve, whose aborted bodies
 * print a stack trace from inside the runtime.
 *
 * @module
 */

/** One request the mirror answered. */
export interface MirrorRequest {
  readonly path: string;
  readonly range: string | null;
}

/** A running mirror. */
export interface FileMirror {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Every request, in order. */
  readonly log: MirrorRequest[];
  close(): Promise<void>;
}

/** Serves `files`; the first answer for `cut.path` stops after `cut.at` bytes. */
export function serveFiles(
  files: ReadonlyMap<string, Uint8Array>,
  cut?: { path: string; at: number },
): FileMirror {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const log: MirrorRequest[] = [];
  let pendingCut = cut;
  const open = new Set<Promise<void>>();
  const answer = async (conn: Deno.Conn) => {
    try {
      const head = await readHead(conn);
      const [, target = "/"] = head.split("\r\n")[0].split(" ");
      const path = target.slice(1);
      const range = /\r\nrange: *bytes=(\d+)-/i.exec(head)?.[1] ?? null;
      log.push({ path, range: range === null ? null : `bytes=${range}-` });
      const bytes = files.get(path);
      if (!bytes) return await write(conn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0", null);
      const from = range === null ? 0 : Number(range);
      const body = bytes.subarray(from);
      const status = range === null ? "200 OK" : "206 Partial Content";
      const header = `HTTP/1.1 ${status}\r\nContent-Length: ${body.length}`;
      if (pendingCut && pendingCut.path === path) {
        const at = pendingCut.at;
        pendingCut = undefined;
        return await write(conn, header, body.subarray(0, at));
      }
      await write(conn, header, body);
    } catch {
      /* the client went away */
    } finally {
      conn.close();
    }
  };
  (async () => {
    for await (const conn of listener) {
      const p = answer(conn);
      open.add(p);
      p.finally(() => open.delete(p));
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  return {
    base: `http://127.0.0.1:${port}`,
    log,
    close: async () => {
      listener.close();
      await Promise.all(open);
    },
  };
}

async function readHead(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
    text = new TextDecoder().decode(concat(chunks));
  }
  return text;
}

async function write(conn: Deno.Conn, header: string, body: Uint8Array | null): Promise<void> {
  const head = new TextEncoder().encode(`${header}\r\nConnection: close\r\n\r\n`);
  await writeAll(conn, head);
  if (body) await writeAll(conn, body);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, at), at += c.length;
  return out;
}
