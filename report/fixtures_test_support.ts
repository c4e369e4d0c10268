/**
 * Hand-made run tables for the tests: closed-form curves shaped like the paper's findings, so the
 * expected verdicts follow from the formulas, not from the code under test.
 *
 * Flow: sharpness S(t) = 2 + 18(1 − e^{−t/5}) (peak 20), loss L(t) = e^{−t/3}.
 * GD at η: follows the flow until S reaches 2/η, then sharpness 2/η·(1 ± 3%) alternating and the
 * loss stays at the crossing value ·(1 ± 20%) alternating (it leaves the flow).
 * EE: the flow itself, with λ¹(G) = 0.98 S, λ¹(H) = 0.02 S, layer blocks 0.7/0.4/0.2 of λ¹(G),
 * alignment a(t) = 0.2 + 0.4(1 − e^{−t/5}) (rises with S), α₁ = √a, α₂ = √a, mean ‖S¹‖ = a·(5 + t)
 * (layer gains 5 + t).
 * With a peak at t = P (as under cross-entropy, where the sharpness later falls): for t > P,
 * S(t) = S(P)·e^{−(t−P)/5}, a(t) = a(P)·e^{−(t−P)/10}, λ¹(G) = 0.5 S and the second layer's block
 * the largest (0.3/0.9/0.2 of λ¹(G)), so that whole-run figures differ from the sharpening phase's.
 *
 * @module
 */
import type { MeasurementTableRow, RunTables, TrajectoryTableRow } from "./tables.ts";

/** The flow's sharpness at time t (peak at P). */
export const flowSharpness = (t: number, P = Infinity): number =>
  t <= P ? 2 + 18 * (1 - Math.exp(-t / 5)) : flowSharpness(P) * Math.exp(-(t - P) / 5);
/** The flow's loss at time t. */
export const flowLoss = (t: number): number => Math.exp(-t / 3);
/** The mean alignment at time t (peak at P). */
export const flowAlignment = (t: number, P = Infinity): number =>
  t <= P ? 0.2 + 0.4 * (1 - Math.exp(-t / 5)) : flowAlignment(P) * Math.exp(-(t - P) / 10);

/**
 * A flow-like run (solver "flow" or "ee") from t = 0 to tEnd in steps of dt, measured every m,
 * its sharpness peaking at t = peakAt (default: rising to the end).
 */
export function flowRun(
  run: string,
  solver: "flow" | "ee",
  tEnd = 30,
  dt = 0.05,
  m = 10,
  peakAt = Infinity,
): RunTables {
  const trajectory: TrajectoryTableRow[] = [];
  const measurements: MeasurementTableRow[] = [];
  const steps = Math.round(tEnd / dt);
  for (let step = 0; step <= steps; step++) {
    const t = step * dt;
    trajectory.push({ step, t, loss: flowLoss(t), accuracy: 1 - flowLoss(t) / 2, dt });
    if (step % m !== 0) continue;
    const rising = t <= peakAt;
    const s = flowSharpness(t, peakAt), g = (rising ? 0.98 : 0.5) * s;
    const a = flowAlignment(t, peakAt), gain = 5 + t;
    const blocks = rising ? [0.7, 0.4, 0.2] : [0.3, 0.9, 0.2];
    measurements.push({
      step,
      t,
      loss: flowLoss(t),
      sharpness: s,
      lambda_G: g,
      lambda_H: s - g,
      lambda_G_layer_1: blocks[0] * g,
      lambda_G_layer_2: blocks[1] * g,
      lambda_G_layer_3: blocks[2] * g,
      align_mean: a,
      align_geomean: 0.9 * a,
      s1_norm_mean: a * gain,
      gain_product_mean: gain,
      alpha_1: Math.sqrt(a),
      alpha_2: Math.sqrt(a),
    });
  }
  return { run, solver, trajectory, measurements };
}

/** A GD run at step size eta that enters EoS where the flow's sharpness reaches 2/η. */
export function gdRun(eta: number, tEnd = 30, m = 1): RunTables {
  const trajectory: TrajectoryTableRow[] = [];
  const measurements: MeasurementTableRow[] = [];
  const cap = 2 / eta;
  let crossingLoss: number | undefined;
  for (let step = 0; step * eta <= tEnd; step++) {
    const t = step * eta;
    const onFlow = flowSharpness(t) < cap;
    if (!onFlow && crossingLoss === undefined) crossingLoss = flowLoss(t);
    const sign = step % 2 === 0 ? 1 : -1;
    const loss = onFlow ? flowLoss(t) : (crossingLoss as number) * (1 + 0.2 * sign);
    const sharpness = onFlow ? flowSharpness(t) : cap * (1 + 0.03 * sign);
    trajectory.push({ step, t, loss, dt: eta });
    if (step % m === 0) measurements.push({ step, t, loss, sharpness });
  }
  return { run: `gd-${eta}`, solver: "gd", eta, trajectory, measurements };
}
