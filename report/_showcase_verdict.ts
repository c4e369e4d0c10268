/**
 * What claims 1–3 share: the verdict row of one showcase configuration, and a claim judged run by
 * run on a configuration's exponential Euler runs (claims 2 and 3).
 *
 * @module
 */
import {
  type Check,
  type ClaimCriteria,
  combineChecks,
  type ConfigurationOutcome,
  type ConfigurationVerdict,
  type Numbers,
} from "./claim_verdict.ts";
import { eigenSolveFlag } from "./eigen_solves.ts";
import type { RunTables, ShowcaseTables } from "./tables.ts";

/** One showcase configuration's verdict, with its numbers and its eigen-solve flag. */
export function showcaseVerdict(
  showcase: ShowcaseTables,
  outcome: { verdict: ConfigurationOutcome; reason: string },
  numbers: Numbers,
  unjudged: Numbers,
): ConfigurationVerdict {
  return {
    config: showcase.config,
    ...outcome,
    numbers,
    unjudged,
    eigenSolves: eigenSolveFlag(showcase.runs.map((r) => r.eigenSolves)),
  };
}

/** Checks one EE run, recording its judged and unjudged numbers. */
export type EeRunCheck = (
  ee: RunTables,
  c: ClaimCriteria,
  numbers: Numbers,
  unjudged: Numbers,
) => Check[];

/** A claim on one showcase configuration, from the checks of every EE run in it. */
export function checkEeRuns(
  showcase: ShowcaseTables,
  c: ClaimCriteria,
  checkRun: EeRunCheck,
): ConfigurationVerdict {
  const numbers: Numbers = {}, unjudged: Numbers = {};
  const ees = showcase.runs.filter((r) => r.solver === "ee");
  const checks = ees.length === 0
    ? [{ ok: undefined, reason: "no EE run" }]
    : ees.flatMap((ee) => checkRun(ee, c, numbers, unjudged));
  return showcaseVerdict(showcase, combineChecks(checks), numbers, unjudged);
}
