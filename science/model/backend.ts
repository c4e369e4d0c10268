/**
 * Chooses and initialises the TensorFlow.js compute backend.
 *
 * `wasm` is the default: it is exact float32, SIMD-accelerated and installs everywhere. `cpu` is
 * the pure-JS reference. `tensorflow` (tfjs-node-gpu or tfjs-node) and `webgpu` are used where a
 * user's machine has them; asking for one that is not there is a clear error, never a silent
 * fallback, because the backend is part of every artifact's manifest.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";

/** The backends a user may ask for. `auto` takes the fastest available one. */
export const BACKEND_NAMES = ["wasm", "cpu", "tensorflow", "webgpu", "auto"] as const;

/** A backend name as accepted by {@linkcode selectBackend}. */
export type BackendRequest = typeof BACKEND_NAMES[number];

/** The environment variable that selects the backend when no flag does. */
export const BACKEND_ENV_VAR = "EOS_BACKEND";

/** Thrown when the requested backend cannot run on this machine; the message says why. */
export class BackendUnavailableError extends Error {
  constructor(readonly backend: BackendRequest, readonly reason: string) {
    super(`backend "${backend}" is unavailable here: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

/** What {@linkcode selectBackend} chose, for logs and manifests. */
export interface BackendChoice {
  /** The tfjs backend now active (`wasm`, `cpu`, `tensorflow`, `webgpu`). */
  name: string;
  /** What was asked for. */
  requested: BackendRequest;
  /** One line per preferred backend that was passed over, with the reason. */
  skipped: string[];
  /** The tfjs version, for manifests. */
  tfjsVersion: string;
}

const require = createRequire(import.meta.url);

/** Reads the backend request from a flag value or `EOS_BACKEND`, validating it. */
export function parseBackendRequest(value: string | undefined): BackendRequest {
  const v = value ?? Deno.env.get(BACKEND_ENV_VAR) ?? "wasm";
  if (!(BACKEND_NAMES as readonly string[]).includes(v)) {
    throw new Error(`backend: "${v}" is not one of ${BACKEND_NAMES.join(", ")}`);
  }
  return v as BackendRequest;
}

/**
 * Activates the requested backend and waits until it is ready.
 * `auto` tries `tensorflow`, then `webgpu`, then `wasm`; anything else must work or throws
 * {@linkcode BackendUnavailableError}.
 */
export async function selectBackend(requested: BackendRequest = "wasm"): Promise<BackendChoice> {
  const order: Exclude<BackendRequest, "auto">[] = requested === "auto"
    ? ["tensorflow", "webgpu", "wasm"]
    : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    try {
      const active = await activate(name);
      return { name: active, requested, skipped, tfjsVersion: tf.version.tfjs };
    } catch (e) {
      if (requested !== "auto") throw e;
      skipped.push(e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(`no backend could start: ${skipped.join("; ")}`);
}

/**
 * Whether a backend can only read back asynchronously (a GPU through the browser's API: its
 * synchronous read-back draws through a canvas, which Deno lacks), so that only a worker thread,
 * which may wait, can run it (science/model/engine.ts).
 */
export function asyncReadBack(backend: string): boolean {
  return backend === "webgpu" || backend === "webgl";
}

/** The name of the active backend (for manifests written after {@linkcode selectBackend}). */
export function activeBackendName(): string {
  return tf.getBackend();
}

async function activate(name: Exclude<BackendRequest, "auto">): Promise<string> {
  switch (name) {
    case "wasm":
      setWasmPaths(wasmDistDirectory());
      return await setAndCheck("wasm");
    case "cpu": {
      const active = await setAndCheck("cpu");
      // The cpu backend prints a "install tfjs-node" banner on its first tensor; we chose it.
      (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
      return active;
    }
    case "tensorflow":
      await importNativeTensorflow();
      return await setAndCheck("tensorflow");
    case "webgpu":
      await requireWebGpuAdapter();
      await import("@tensorflow/tfjs-backend-webgpu");
      return await setAndCheck("webgpu");
  }
}

async function setAndCheck(name: string): Promise<string> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(name as BackendRequest, "tfjs could not initialise it");
  }
  return name;
}

/** The absolute `dist/` folder of the installed wasm backend, with the trailing slash tfjs needs. */
function wasmDistDirectory(): string {
  const entry = require.resolve("@tensorflow/tfjs-backend-wasm");
  return entry.slice(0, entry.lastIndexOf("/") + 1);
}

async function importNativeTensorflow(): Promise<void> {
  const candidates = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];
  for (const pkg of candidates) {
    let path: string;
    try {
      path = require.resolve(pkg);
    } catch {
      continue;
    }
    try {
      await import(path);
      return;
    } catch (e) {
      throw new BackendUnavailableError(
        "tensorflow",
        `${pkg} is installed but failed to load (${firstLine(e)})`,
      );
    }
  }
  throw new BackendUnavailableError(
    "tensorflow",
    "neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed " +
      "(their install script downloads libtensorflow, which needs network access to Google storage)",
  );
}

/** Set to `1` to accept a software WebGPU adapter (such as Mesa's llvmpipe) as a backend. */
export const WEBGPU_FALLBACK_ENV_VAR = "EOS_WEBGPU_ALLOW_FALLBACK";

interface GpuAdapterLike {
  info?: { description?: string; isFallbackAdapter?: boolean };
}

async function requireWebGpuAdapter(): Promise<void> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) throw new BackendUnavailableError("webgpu", "this Deno has no navigator.gpu");
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) throw new BackendUnavailableError("webgpu", "Deno found no WebGPU adapter");
  // A software rasteriser is slower than wasm; only use it when asked to.
  if (adapter.info?.isFallbackAdapter && Deno.env.get(WEBGPU_FALLBACK_ENV_VAR) !== "1") {
    throw new BackendUnavailableError(
      "webgpu",
      `Deno found only a software adapter (${adapter.info.description ?? "unknown"}); ` +
        `set ${WEBGPU_FALLBACK_ENV_VAR}=1 to use it anyway`,
    );
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
