/**
 * GD's edge-of-stability window (SCIENCE.md §6, claim 1), shared by the claim check and F2's
 * shading. For a GD run at step size η whose 2/η ≤ 0.9 · (the flow's peak sharpness), the window
 * opens at GD's first sharpness measurement ≥ 0.9 · 2/η and closes at the last flow measurement
 * whose sharpness is ≥ 1.1 · 2/η: while the flow itself would be unstable for GD, so that GD
 * sitting at 2/η cannot be mistaken for GD following the flow.
 *
 * @module
 */
import type { ClaimCriteria } from "./claim_verdict.ts";
import { columnSeries, runLabel, type RunTables } from "./tables.ts";

/** The RK4 flow reference of a showcase, with its sharpness series and peak. */
export interface FlowReference {
  run: RunTables;
  /** (t, sharpness), sorted by t. */
  sharpness: [number, number][];
  peak: number;
}

/** The showcase's flow run (solver "flow") when it has a sharpness measurement. */
export function flowReference(runs: RunTables[]): FlowReference | undefined {
  const run = runs.find((r) => r.solver === "flow");
  if (!run) return undefined;
  const sharpness = columnSeries(
    run.measurements as unknown as Record<string, unknown>[],
    "sharpness",
  );
  if (sharpness.length === 0) return undefined;
  return { run, sharpness, peak: Math.max(...sharpness.map(([, s]) => s)) };
}

/** 2/η of a GD run. */
export const twoOverEta = (gd: RunTables): number => 2 / (gd.eta as number);

/** The GD runs eligible for claim 1: 2/η ≤ eligibleFraction · the flow's peak sharpness. */
export function eligibleGdRuns(runs: RunTables[], peak: number, c: ClaimCriteria): RunTables[] {
  return runs.filter((r) => r.solver === "gd" && twoOverEta(r) <= c.eligibleFraction * peak);
}

/** One GD run's EoS window. */
export interface EosWindow {
  gd: RunTables;
  label: string;
  twoOverEta: number;
  /** The first GD measurement with sharpness ≥ windowOpenFraction · 2/η; null if none. */
  tOpen: number | null;
  /** The first and last flow measurement with sharpness ≥ windowCloseFactor · 2/η (null: none). */
  tFlowAbove: number | null;
  tClose: number | null;
  /** Whether the flow is still above windowCloseFactor · 2/η at its last measurement. */
  flowAboveAtEnd: boolean;
  /** GD's sharpness measurements with tOpen ≤ t ≤ tClose. */
  inWindow: number[];
  /** GD's sharpness measurements from tOpen to its end (the whole-run figure). */
  afterOpen: number[];
  /** The time of GD's last sharpness measurement (−∞ if none). */
  tEnd: number;
}

/** The EoS window of one GD run against the flow reference. */
export function eosWindow(gd: RunTables, flow: FlowReference, c: ClaimCriteria): EosWindow {
  const cap = twoOverEta(gd);
  const sharp = columnSeries(gd.measurements as unknown as Record<string, unknown>[], "sharpness");
  const above = flow.sharpness.filter(([, s]) => s >= c.windowCloseFactor * cap);
  const tOpen = sharp.find(([, s]) => s >= c.windowOpenFraction * cap)?.[0] ?? null;
  const tClose = above.at(-1)?.[0] ?? null;
  const open = tOpen === null ? [] : sharp.filter(([t]) => t >= tOpen);
  return {
    gd,
    label: runLabel(gd),
    twoOverEta: cap,
    tOpen,
    tFlowAbove: above[0]?.[0] ?? null,
    tClose,
    flowAboveAtEnd: tClose !== null && tClose === flow.sharpness.at(-1)![0],
    inWindow: tClose === null ? [] : open.filter(([t]) => t <= tClose).map(([, s]) => s),
    afterOpen: open.map(([, s]) => s),
    tEnd: sharp.at(-1)?.[0] ?? -Infinity,
  };
}

/** The windows of a showcase's eligible GD runs that opened before they closed (for F2). */
export function openEosWindows(runs: RunTables[], c: ClaimCriteria): EosWindow[] {
  const flow = flowReference(runs);
  if (!flow) return [];
  return eligibleGdRuns(runs, flow.peak, c).map((gd) => eosWindow(gd, flow, c)).filter((w) =>
    w.tOpen !== null && w.tClose !== null && w.tOpen <= w.tClose
  );
}
