/**
 * Claim 2 (SCIENCE.md §6.2), per showcase configuration: along EE the sharpness rises
 * (peak/initial ≥ 1.5), and over the sharpening phase (t ≤ t★, see sharpening_phase.ts) the
 * Gauss–Newton part carries it (mean λ¹(G)/λ¹(ℋ) in [0.9, 1.1]) and the first layer's block
 * λ¹(G¹¹) is the largest per-layer block at ≥ 80% of the measurements. Rows missing a column
 * (sparse sharpness-only rows) are skipped for the quantities that need it.
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
import { type SharpeningPhase, sharpeningPhase } from "./sharpening_phase.ts";
import {
  finiteCell,
  indexedColumns,
  runLabel,
  type RunTables,
  type ShowcaseTables,
} from "./tables.ts";
import { mean } from "../util/stats.ts";

type Row = Record<string, unknown>;

/** λ¹(G)/λ¹(ℋ) at each row that has both (and a non-zero sharpness). */
function gaussNewtonRatios(rows: Row[]): number[] {
  return rows.flatMap((r) => {
    const g = finiteCell(r, "lambda_G"), s = finiteCell(r, "sharpness");
    return g !== undefined && s !== undefined && s !== 0 ? [g / s] : [];
  });
}

/** How often λ¹(G¹¹) is the largest block, over rows that have every block. */
function firstLayerShare(rows: Row[], layers: number[]): { share: number; counted: number } {
  let counted = 0, first = 0;
  for (const r of rows) {
    const blocks = layers.map((n) => finiteCell(r, `lambda_G_layer_${n}`));
    if (blocks.some((b) => b === undefined)) continue;
    counted++;
    if ((blocks[0] as number) >= Math.max(...(blocks as number[]))) first++;
  }
  return { share: counted ? first / counted : NaN, counted };
}

/** Claim 2's checks on one EE run: the rise, the Gauss–Newton share, the first layer's block. */
function checkSharpeningRun(
  ee: RunTables,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check[] {
  const label = runLabel(ee);
  const phase = sharpeningPhase(ee);
  if (!phase) return [{ ok: undefined, reason: `${label} has no sharpness measurements` }];
  n[`${label}: t★ (peak sharpness)`] = phase.peakAtEnd
    ? `${fmt(phase.tStar)} (the run's last measurement)`
    : phase.tStar;
  n[`${label}: measurements in the sharpening phase`] = phase.rows.length;
  return [
    riseCheck(label, phase, c, n),
    gaussNewtonCheck(label, phase, c, n, unjudged),
    ...firstLayerCheck(label, phase, c, n, unjudged),
  ];
}

/** Peak / initial sharpness ≥ the criterion's ratio. */
function riseCheck(label: string, phase: SharpeningPhase, c: ClaimCriteria, n: Numbers): Check {
  if (!(phase.initial > 0)) {
    return { ok: undefined, reason: `${label}'s initial sharpness ${fmt(phase.initial)} ≤ 0` };
  }
  const ratio = phase.peak / phase.initial;
  n[`${label}: peak / initial sharpness`] = ratio;
  const ok = ratio >= c.sharpeningRatio;
  return {
    ok,
    reason: `${label}'s sharpness ${ok ? "rises" : "does not rise enough"}: peak/initial ` +
      `${fmt(ratio)}`,
  };
}

/** Mean λ¹(G)/λ¹(ℋ) over the sharpening phase within the criterion's band. */
function gaussNewtonCheck(
  label: string,
  phase: SharpeningPhase,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check {
  const ratios = gaussNewtonRatios(phase.rows);
  const allRatios = gaussNewtonRatios(phase.allRows);
  if (allRatios.length) unjudged[`${label}: mean λ¹(G)/λ¹(ℋ), whole run`] = mean(allRatios);
  if (ratios.length === 0) {
    return { ok: undefined, reason: `${label} has no λ¹(G) in the sharpening phase` };
  }
  const r = mean(ratios);
  n[`${label}: mean λ¹(G)/λ¹(ℋ), sharpening phase`] = r;
  const ok = r >= c.gaussNewtonRatioLow && r <= c.gaussNewtonRatioHigh;
  return {
    ok,
    reason: `${label}: mean λ¹(G)/λ¹(ℋ) over the sharpening phase ${fmt(r)} ` +
      `${ok ? "is" : "is not"} in [${c.gaussNewtonRatioLow}, ${c.gaussNewtonRatioHigh}]`,
  };
}

/** λ¹(G¹¹) the largest per-layer block at the criterion's share of the phase's measurements. */
function firstLayerCheck(
  label: string,
  phase: SharpeningPhase,
  c: ClaimCriteria,
  n: Numbers,
  unjudged: Numbers,
): Check[] {
  const layers = indexedColumns(phase.allRows, "lambda_G_layer_");
  if (layers.length < 2 || layers[0] !== 1) {
    return [{ ok: undefined, reason: `${label} lacks per-layer blocks lambda_G_layer_1…L` }];
  }
  const all = firstLayerShare(phase.allRows, layers);
  if (all.counted) {
    unjudged[`${label}: share where λ¹(G¹¹) is the largest block, whole run`] = all.share;
  }
  const { share, counted } = firstLayerShare(phase.rows, layers);
  if (counted === 0) {
    return [{
      ok: undefined,
      reason: `${label} has no measurement with every layer block in the sharpening phase`,
    }];
  }
  n[`${label}: share where λ¹(G¹¹) is the largest block, sharpening phase`] = share;
  return [{
    ok: share >= c.firstLayerFraction,
    reason: `${label}: λ¹(G¹¹) is the largest block at ${fmt(share * 100)}% of the ` +
      `sharpening phase's ${counted} measurements`,
  }];
}

/** Claim 2 on one showcase configuration (every EE run in it). */
export function checkSharpeningConfiguration(
  showcase: ShowcaseTables,
  c: ClaimCriteria,
): ConfigurationVerdict {
  return checkEeRuns(showcase, c, checkSharpeningRun);
}

/** Claim 2 over every showcase configuration. */
export function checkClaimSharpening(showcases: ShowcaseTables[], c: ClaimCriteria): ClaimVerdict {
  const configurations = showcases.map((s) => checkSharpeningConfiguration(s, c));
  return {
    id: 2,
    title: "Progressive sharpening along EE is carried by λ¹(G) and the first layer's block",
    criterion: `each EE run: peak/initial sharpness ≥ ${c.sharpeningRatio}; over its ` +
      `sharpening phase (t ≤ t★, the time of its peak sharpness), mean λ¹(G)/λ¹(ℋ) in ` +
      `[${c.gaussNewtonRatioLow}, ${c.gaussNewtonRatioHigh}] and λ¹(G¹¹) the largest ` +
      `per-layer block at ≥ ${c.firstLayerFraction * 100}% of the measurements`,
    paper: "the sharpness rises along the flow, the Gauss–Newton part λ¹(G) accounts for it, " +
      "and the first layer's block dominates (SCIENCE.md §6.2; the paper's text is not at hand)",
    appliesTo: "showcase",
    configurations,
    ...overallVerdict(configurations, "showcase"),
  };
}
