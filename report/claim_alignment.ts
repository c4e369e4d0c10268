/**
 * Claim 3 (SCIENCE.md §6.3), per showcase configuration: over the sharpening phase of each EE run
 * (t ≤ t★, see sharpening_phase.ts; at least 5 measurements with both the mean alignment and the
 * sharpness), the alignment at t★ is ≥ 1.1 × the alignment at the start, and the alignment rises
 * with the sharpness (Spearman ≥ 0.5: ranks, since the relation need not be linear). Reported
 * beside it, unjudged: the share of the growth of mean ‖S¹‖₂ that comes from the alignment,
 * ln(ā(t★)/ā(0)) / ln(‖S¹‖(t★)/‖S¹‖(0)) (the rest comes from the layer gains), and the same
 * figures over the whole run.
 *
 * ā(0) is the first measurement with an alignment (t = 0 in every profile); ā(t★) the last one at
 * or before t★ (t★ itself unless that row is a sharpness-only row).
 *
 * @module
 */
import {
  type Check,
  type ClaimCriteria,
  type ClaimVerdict,
  type ConfigurationVerdict,
  fmt,
  type Numbers,
  overallVerdict,
} from "./claim_verdict.ts";
import { checkEeRuns } from "./_showcase_verdict.ts";
import { sharpeningPhase } from "./sharpening_phase.ts";
import { finiteCell, runLabel, type RunTables, type ShowcaseTables } from "./tables.ts";
import { pearson, spearman } from "../util/stats.ts";

interface Pair {
  t: number;
  align: number;
  sharpness: number;
  s1: number | undefined;
}

/** Rows with both the mean alignment and the sharpness, in t order. */
function pairs(rows: Record<string, unknown>[]): Pair[] {
  return rows.flatMap((r) => {
    const a = finiteCell(r, "align_mean"), s = finiteCell(r, "sharpness");
    return a !== undefined && s !== undefined
      ? [{
        t: finiteCell(r, "t") as number,
        align: a,
        sharpness: s,
        s1: finiteCell(r, "s1_norm_mean"),
      }]
      : [];
  });
}

/**
 * The share of the growth of ‖S¹‖ that comes from the alignment between two measurements:
 * ln(a₁/a₀)/ln(S₁/S₀); undefined without ‖S¹‖ at both, NaN when ‖S¹‖ did not change.
 */
export function alignmentShare(first: Pair, last: Pair): number | undefined {
  if (first.s1 === undefined || last.s1 === undefined) return undefined;
  return Math.log(last.align / first.align) / Math.log(last.s1 / first.s1);
}

/** Claim 3's checks on one EE run: the alignment's rise and its correlation with sharpness. */
function checkAlignmentRun(
  ee: RunTables,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check[] {
  const label = runLabel(ee);
  const phase = sharpeningPhase(ee);
  if (!phase) return [{ ok: undefined, reason: `${label} has no sharpness measurements` }];
  const all = pairs(phase.allRows);
  if (all.length >= 2) {
    unjudged[`${label}: final / initial alignment, whole run`] = all.at(-1)!.align / all[0].align;
    unjudged[`${label}: Spearman(alignment, sharpness), whole run`] = spearman(
      all.map((p) => p.align),
      all.map((p) => p.sharpness),
    );
  }
  const ps = pairs(phase.rows);
  n[`${label}: t★ (peak sharpness)`] = phase.tStar;
  n[`${label}: measurements in the sharpening phase`] = ps.length;
  if (ps.length < c.minPhaseMeasurements) {
    return [{
      ok: undefined,
      reason: `${label} has ${ps.length} measurements with alignment and sharpness in its ` +
        `sharpening phase (needs ${c.minPhaseMeasurements})`,
    }];
  }
  const first = ps[0], last = ps.at(-1)!;
  const align = ps.map((p) => p.align), sharp = ps.map((p) => p.sharpness);
  const rise = last.align / first.align;
  const rho = spearman(align, sharp);
  n[`${label}: ā(0)`] = first.align;
  n[`${label}: ā(t★)`] = last.align;
  n[`${label}: ā(t★) / ā(0)`] = rise;
  n[`${label}: Spearman(alignment, sharpness)`] = rho;
  n[`${label}: Pearson(alignment, sharpness) (reported)`] = pearson(align, sharp);
  const share = alignmentShare(first, last);
  n[`${label}: share of ‖S¹‖'s growth from alignment (reported)`] = share ?? "not recorded";
  return [
    { ok: rise >= c.alignmentRise, reason: `${label}: ā(t★)/ā(0) = ${fmt(rise)}` },
    Number.isNaN(rho)
      ? { ok: undefined, reason: `${label}: alignment or sharpness is constant over the phase` }
      : {
        ok: rho >= c.minCorrelation,
        reason: `${label}: Spearman correlation with sharpness over the phase ${fmt(rho)}`,
      },
  ];
}

/** Claim 3 on one showcase configuration (every EE run in it). */
export function checkAlignmentConfiguration(
  showcase: ShowcaseTables,
  c: ClaimCriteria,
): ConfigurationVerdict {
  return checkEeRuns(showcase, c, checkAlignmentRun);
}

/** Claim 3 over every showcase configuration. */
export function checkClaimAlignment(showcases: ShowcaseTables[], c: ClaimCriteria): ClaimVerdict {
  const configurations = showcases.map((s) => checkAlignmentConfiguration(s, c));
  return {
    id: 3,
    title: "Alignment rises with the sharpness",
    criterion: `each EE run, over its sharpening phase (t ≤ t★; ≥ ${c.minPhaseMeasurements} ` +
      `measurements with alignment and sharpness): mean alignment at t★ / at t = 0 ≥ ` +
      `${c.alignmentRise} and Spearman correlation of alignment with sharpness ≥ ` +
      `${c.minCorrelation}; reported: the share ln(ā(t★)/ā(0)) / ln(‖S¹‖(t★)/‖S¹‖(0)) of the ` +
      `growth of mean ‖S¹‖₂ that comes from alignment`,
    paper: "the layerwise Jacobians become aligned during training, which makes the sharpness " +
      "rise (abstract; the paper's correlation is not at hand)",
    appliesTo: "showcase",
    configurations,
    ...overallVerdict(configurations, "showcase"),
  };
}
