/**
 * The sharpening phase of an EE run (SCIENCE.md §6): its measurements from the start to t★, the
 * time of its peak sharpness. Claims 2 and 3 are judged over it; the whole run is shown beside.
 *
 * t★ is the EE run's own peak (the first measurement at its largest sharpness), not the RK4
 * reference's: EE follows the flow (claim 1 checks that its loss stays within 2% of the RK4
 * flow's), so the two peaks coincide up to the measurement spacing, and the EE run's own peak is
 * on the grid of its own measurements, so that the alignment at t★ is measured, not interpolated.
 * The RK4 reference may also end earlier than EE (profiles cap its time), which would cut its
 * peak short.
 *
 * @module
 */
import { columnSeries, finiteCell, type RunTables } from "./tables.ts";

/** Where a run's sharpening phase ends, and its rows. */
export interface SharpeningPhase {
  /** The time of the run's peak sharpness. */
  tStar: number;
  /** The peak sharpness, and the first measured one. */
  peak: number;
  initial: number;
  /** Whether the peak is the run's last sharpness measurement (the sharpness never fell). */
  peakAtEnd: boolean;
  /** Measurement rows with t ≤ t★, in t order. */
  rows: Record<string, unknown>[];
  /** Every measurement row, in t order. */
  allRows: Record<string, unknown>[];
}

/** The run's sharpening phase; undefined when it has no sharpness measurement. */
export function sharpeningPhase(run: RunTables): SharpeningPhase | undefined {
  const allRows = [...(run.measurements as unknown as Record<string, unknown>[])]
    .sort((a, b) => (finiteCell(a, "t") as number) - (finiteCell(b, "t") as number));
  const sharp = columnSeries(allRows, "sharpness");
  if (sharp.length === 0) return undefined;
  let iPeak = 0;
  for (let i = 1; i < sharp.length; i++) if (sharp[i][1] > sharp[iPeak][1]) iPeak = i;
  const tStar = sharp[iPeak][0];
  return {
    tStar,
    peak: sharp[iPeak][1],
    initial: sharp[0][1],
    peakAtEnd: iPeak === sharp.length - 1,
    rows: allRows.filter((r) => (finiteCell(r, "t") as number) <= tStar),
    allRows,
  };
}
