/**
 * Opens an HTML file in headless Chromium (Debian's `chromium`) over the DevTools protocol and
 * reports what a reader would meet: console errors, uncaught exceptions, browser-logged errors
 * (failed loads, Content-Security-Policy violations), every URL the page requested, and the
 * displayed size of every image and SVG. The browser runs with a fresh profile, no network
 * services, and its debugging port bound to 127.0.0.1.
 *
 * @module
 */
import { toFileUrl } from "@std/path";

/** What {@linkcode inspectPageInChromium} saw. */
export interface PageInspection {
  /** console.error/assert messages, uncaught exceptions and browser errors, in order. */
  errors: string[];
  /** Every URL the page requested (the page itself included). */
  requests: string[];
  /** Each `<img>`: its alt text, decoded size and laid-out size in CSS pixels. */
  images: {
    alt: string;
    naturalWidth: number;
    naturalHeight: number;
    width: number;
    height: number;
  }[];
  /** Each `<svg>`'s laid-out size. */
  svgs: { width: number; height: number }[];
}

/** Options of {@linkcode inspectPageInChromium}. */
export interface BrowserOptions {
  /** The Chromium executable (default `$CHROMIUM` or `/usr/bin/chromium`). */
  chromium?: string;
  /** Give up after this long (default 30 000 ms). */
  timeoutMs?: number;
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

// The page's own report of its figures, evaluated in the page after the load event.
const MEASURE = `JSON.stringify({
  images: [...document.images].map((i) => ({ alt: i.alt, naturalWidth: i.naturalWidth,
    naturalHeight: i.naturalHeight, width: i.getBoundingClientRect().width,
    height: i.getBoundingClientRect().height })),
  svgs: [...document.querySelectorAll("svg")].map((s) => ({
    width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height })),
})`;

/** Loads `htmlPath` in headless Chromium and returns what it saw; see {@linkcode PageInspection}. */
export async function inspectPageInChromium(
  htmlPath: string,
  options: BrowserOptions = {},
): Promise<PageInspection> {
  const executable = options.chromium ?? Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
  const profile = await Deno.makeTempDir({ prefix: "report-chromium-" });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(executable, {
      args: [...FLAGS, `--user-data-dir=${profile}`, "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    await Deno.remove(profile, { recursive: true });
    throw new Error(`chromium: cannot start ${executable} (set CHROMIUM or install it): ${e}`);
  }
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`chromium: no result within ${options.timeoutMs ?? 30_000} ms`)),
        options.timeoutMs ?? 30_000,
      );
    });
    const wsUrl = await Promise.race([devToolsUrl(child.stderr), deadline]);
    socket = new WebSocket(wsUrl);
    return await Promise.race([inspect(socket, toFileUrl(htmlPath).href), deadline]);
  } finally {
    clearTimeout(timer);
    socket?.close();
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** Reads Chromium's stderr until it prints the DevTools URL, then keeps draining it. */
async function devToolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`chromium exited before DevTools started: ${text.slice(-2000)}`);
    text += value;
    const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) {
      // Drain the rest so Chromium never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
      return m[1];
    }
  }
}

// deno-lint-ignore no-explicit-any
type Message = { id?: number; method?: string; params?: any; result?: any; error?: any };

async function inspect(socket: WebSocket, url: string): Promise<PageInspection> {
  const errors: string[] = [];
  const requests: string[] = [];
  let nextId = 1;
  const pending = new Map<number, (m: Message) => void>();
  socket.onmessage = (e) => {
    const m: Message = JSON.parse(e.data);
    if (m.id !== undefined) return pending.get(m.id)?.(m);
    const p = m.params;
    if (m.method === "Network.requestWillBeSent") requests.push(p.request.url);
    else if (m.method === "Runtime.exceptionThrown") {
      errors.push(
        `exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`,
      );
    } else if (m.method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(p.type)) {
      errors.push(
        `console.${p.type}: ${
          p.args.map((a: Message["params"]) => a.value ?? a.description).join(" ")
        }`,
      );
    } else if (m.method === "Log.entryAdded" && p.entry.level === "error") {
      errors.push(`${p.entry.source}: ${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ""}`);
    }
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("chromium: the DevTools socket failed"));
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Message["result"]>((resolve, reject) => {
      const id = nextId++;
      pending.set(
        id,
        (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)),
      );
      socket.send(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }),
      );
    });
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const page = (method: string, params: Record<string, unknown> = {}) =>
    send(method, params, sessionId);
  for (const domain of ["Page", "Runtime", "Log", "Network"]) await page(`${domain}.enable`);
  await page("Page.navigate", { url });
  // Wait until this page (not the initial about:blank) has loaded, images included.
  const state = `document.readyState === "complete" && location.href === ${JSON.stringify(url)}`;
  while (
    !(await page("Runtime.evaluate", { expression: state, returnByValue: true })).result.value
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const measured = await page("Runtime.evaluate", { expression: MEASURE, returnByValue: true });
  const { images, svgs } = JSON.parse(measured.result.value);
  return { errors, requests, images, svgs };
}
