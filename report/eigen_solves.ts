/**
 * Flags a configuration whose curvature numbers rest on eigen-solves that did not converge. Each
 * run's `summary.json` records `eigenSolves: {count, unconverged, worstRelativeResidual}` (older
 * artifacts lack it: "not recorded"). A flag does not change a verdict; the report shows it beside
 * the verdict with the count and the worst residual, so that a reader can weigh the numbers.
 *
 * @module
 */

// 4 significant digits, as claim_verdict.ts's fmt; not imported from there, so that the fit
// stage, which reads eigen-solve records, does not depend on the claims' code.
const fmt = (x: number) => String(Number(x.toPrecision(4)));
/** A run's eigen-solve record, as `summary.json` gives it. */
export interface EigenSolveRecord {
  /** Eigen-solves made during the run. */
  count: number;
  /** Of which stopped before reaching their tolerance. */
  unconverged: number;
  /** The largest relative residual ‖ℋv − λv‖/|λ| of any solve. */
  worstRelativeResidual: number;
}

/** The eigen-solve state of one configuration's runs. */
export interface EigenSolveFlag {
  /** `flagged`: some run had unconverged solves; `ok`: every run recorded none; else not recorded. */
  status: "ok" | "flagged" | "not recorded";
  runs: number;
  /** Runs whose summary records eigen-solves. */
  recorded: number;
  /** Runs with at least one unconverged solve. */
  runsFlagged: number;
  /** Unconverged solves over all runs, and all solves. */
  unconverged: number;
  solves: number;
  /** The worst relative residual over the recorded runs (null when none is recorded). */
  worstRelativeResidual: number | null;
  /** The flag in words, for the report. */
  note: string;
}

/** An EigenSolveRecord when `value` is one (every field a finite number ≥ 0), else undefined. */
export function asEigenSolveRecord(value: unknown): EigenSolveRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const ok = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x >= 0;
  return ok(v.count) && ok(v.unconverged) && ok(v.worstRelativeResidual)
    ? {
      count: v.count as number,
      unconverged: v.unconverged as number,
      worstRelativeResidual: v.worstRelativeResidual as number,
    }
    : undefined;
}

/** Summarises the records of a configuration's runs (undefined: that run recorded none). */
export function eigenSolveFlag(records: (EigenSolveRecord | undefined)[]): EigenSolveFlag {
  const known = records.filter((r): r is EigenSolveRecord => r !== undefined);
  const flagged = known.filter((r) => r.unconverged > 0);
  const unconverged = known.reduce((a, r) => a + r.unconverged, 0);
  const solves = known.reduce((a, r) => a + r.count, 0);
  const worst = known.length ? Math.max(...known.map((r) => r.worstRelativeResidual)) : null;
  const missing = records.length - known.length;
  const notRecorded = missing > 0 ? ` (not recorded for ${missing} of ${records.length} runs)` : "";
  const status = flagged.length > 0 ? "flagged" : known.length === 0 ? "not recorded" : "ok";
  const note = status === "flagged"
    ? `${unconverged} of ${solves} eigen-solves unconverged in ${flagged.length} of ` +
      `${records.length} runs, worst relative residual ${fmt(worst as number)}${notRecorded}`
    : status === "ok"
    ? `${solves} eigen-solves, all converged (worst relative residual ${
      fmt(worst as number)
    })${notRecorded}`
    : "eigen-solves not recorded";
  return {
    status,
    runs: records.length,
    recorded: known.length,
    runsFlagged: flagged.length,
    unconverged,
    solves,
    worstRelativeResidual: worst,
    note,
  };
}
