/**
 * Training checkpoints: a folder holding θ (`theta-<step>.npy`, float32, numpy-readable), every
 * named set of float64 vectors the run's next results depend on (`vectors-<name>-<step>.npy`, one
 * row per vector: the solver's last and previous eigenvectors, the sharpness measurement's and
 * each measurement hook's warm starts), the θ snapshots taken so far (`snapshots-<step>.npy`,
 * float32, one row per snapshot), and `checkpoint.json` (step, t, RNG state, the rows so
 * far, the eigen-solve counts, and a fingerprint of the run's configuration). The JSON is written
 * last, atomically, and names the files it belongs to, so a run killed at any moment leaves the
 * previous complete checkpoint readable.
 *
 * @module
 */
import { join } from "@std/path";
import { decodeNpy, encodeNpy } from "../io/npy.ts";
import { loadThetaNpy, saveThetaNpy } from "../model/mlp.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import type { RngState } from "../../util/rng.ts";
import type { EigenSolveCounts } from "../linalg/eigen_solve_log.ts";

/** Everything a resumed run needs (numbers only, so JSON round-trips them exactly). */
export interface CheckpointData<Row, Measurement> {
  /** Identifies the run's configuration; a mismatch refuses to resume. */
  fingerprint: string;
  step: number;
  t: number;
  theta: Float32Array;
  /** Named sets of vectors (names of letters, digits, `_`, `.` and `-`), e.g. warm starts. */
  vectors: Record<string, Float64Array[]>;
  rngState: RngState;
  previousLoss: number | null;
  trajectory: Row[];
  measurements: Measurement[];
  warnings: string[];
  /** The eigen-solve counts so far, per kind. */
  eigenSolves: Record<string, EigenSolveCounts>;
  /** θ at each full measurement so far, when the run takes snapshots (else empty). */
  snapshots: Float32Array[];
}

const INDEX = "checkpoint.json";
const FORMAT = "eos-training-checkpoint/5";
const VECTOR_SET_NAME = /^[A-Za-z0-9_.-]+$/;

/** Equal-length rows as one 2-D array (float64 or float32, as the rows are). */
function rowsNpy(rows: Float64Array[] | Float32Array[]): Uint8Array {
  const P = rows[0]?.length ?? 0;
  const data = rows[0] instanceof Float32Array
    ? new Float32Array(rows.length * P)
    : new Float64Array(rows.length * P);
  rows.forEach((v, i) => data.set(v, i * P));
  return encodeNpy({ data, shape: [rows.length, P] });
}

function npyVectors(bytes: Uint8Array): Float64Array[] {
  const { data, shape } = decodeNpy(bytes);
  if (!(data instanceof Float64Array) || shape.length !== 2) {
    throw new Error("checkpoint: a vectors file is not a 2-D float64 array");
  }
  return Array.from({ length: shape[0] }, (_, i) => data.slice(i * shape[1], (i + 1) * shape[1]));
}

function npyRows(bytes: Uint8Array): Float32Array[] {
  const { data, shape } = decodeNpy(bytes);
  if (!(data instanceof Float32Array) || shape.length !== 2) {
    throw new Error("checkpoint: the snapshots file is not a 2-D float32 array");
  }
  return Array.from({ length: shape[0] }, (_, i) => data.slice(i * shape[1], (i + 1) * shape[1]));
}

/** Writes a checkpoint into `dir` (created if needed) and removes the files of older ones. */
export async function writeCheckpoint<R, M>(dir: string, c: CheckpointData<R, M>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const theta = `theta-${c.step}.npy`, vectors: Record<string, string> = {};
  await saveThetaNpy(join(dir, theta), c.theta);
  const snapshots = c.snapshots.length > 0 ? `snapshots-${c.step}.npy` : null;
  if (snapshots) await writeFileAtomic(join(dir, snapshots), rowsNpy(c.snapshots));
  for (const [name, set] of Object.entries(c.vectors)) {
    if (!VECTOR_SET_NAME.test(name)) throw new Error(`checkpoint: vector set name "${name}"`);
    vectors[name] = `vectors-${name}-${c.step}.npy`;
    await writeFileAtomic(join(dir, vectors[name]), rowsNpy(set));
  }
  const index = {
    format: FORMAT,
    fingerprint: c.fingerprint,
    step: c.step,
    t: c.t,
    rngState: c.rngState,
    previousLoss: c.previousLoss,
    files: { theta, vectors, snapshots },
    trajectory: c.trajectory,
    measurements: c.measurements,
    warnings: c.warnings,
    eigenSolves: c.eigenSolves,
  };
  await writeFileAtomic(join(dir, INDEX), new TextEncoder().encode(JSON.stringify(index)));
  const keep = new Set([INDEX, theta, ...Object.values(vectors), snapshots]);
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".npy") && !keep.has(entry.name)) {
      await Deno.remove(join(dir, entry.name)).catch(() => {});
    }
  }
}

/**
 * Reads the checkpoint in `dir`, or returns null when there is none. Throws when it belongs to a
 * run with a different configuration (the fingerprints differ) or is unreadable.
 */
export async function readCheckpoint<R, M>(
  dir: string,
  fingerprint: string,
): Promise<CheckpointData<R, M> | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, INDEX));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const index = JSON.parse(text);
  if (index.format !== FORMAT) {
    throw new Error(
      `checkpoint ${dir}: format ${index.format} is not ${FORMAT}, the one this version reads; ` +
        `remove the folder to start the run afresh`,
    );
  }
  if (index.fingerprint !== fingerprint) {
    throw new Error(
      `checkpoint ${dir}: it belongs to a different run configuration; ` +
        `remove the folder or choose another checkpoint path`,
    );
  }
  const vectors: Record<string, Float64Array[]> = {};
  for (const [name, file] of Object.entries(index.files.vectors as Record<string, string>)) {
    vectors[name] = npyVectors(await Deno.readFile(join(dir, file)));
  }
  return {
    fingerprint,
    step: index.step,
    t: index.t,
    theta: await loadThetaNpy(join(dir, index.files.theta)),
    vectors,
    rngState: index.rngState,
    previousLoss: index.previousLoss,
    trajectory: index.trajectory,
    measurements: index.measurements,
    warnings: index.warnings,
    eigenSolves: index.eigenSolves,
    snapshots: index.files.snapshots
      ? npyRows(await Deno.readFile(join(dir, index.files.snapshots)))
      : [],
  };
}
