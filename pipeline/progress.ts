/**
 * Run progress for people: on a terminal, one live line per running stage (name, progress, rate,
 * ETA) redrawn in place under the log; otherwise plain log lines. A summary at the end.
 *
 * @module
 */
import type { LockHolder } from "./lock.ts";
import type { Outcome, RunReporter, RunSummary } from "./run.ts";
import { groupedLines, type ListedLine, stageOf } from "./_listing.ts";

interface Running {
  readonly start: number;
  done: number;
  total: number;
  note: string;
}

const REDRAW_MS = 200;

function seconds(ms: number): string {
  return ms < 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms < 600_000
    ? `${Math.round(ms / 1000)} s`
    : `${(ms / 60_000).toFixed(1)} min`;
}

/** One status line of a running stage: progress, rate and ETA from the units reported so far. */
export function progressLine(id: string, r: Running, now: number): string {
  const elapsed = now - r.start;
  if (r.total <= 0) return `${id}  running ${seconds(elapsed)}${r.note ? `  ${r.note}` : ""}`;
  const pct = Math.min(100, (100 * r.done) / r.total);
  const rate = r.done > 0 && elapsed > 0 ? (r.done * 1000) / elapsed : 0;
  const eta = rate > 0 ? `  ETA ${seconds(((r.total - r.done) / rate) * 1000)}` : "";
  const rateText = rate > 0 ? `  ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s` : "";
  return `${id}  ${r.done}/${r.total} (${pct.toFixed(0)}%)${rateText}${eta}${
    r.note ? `  ${r.note}` : ""
  }`;
}

/** The log line of a finished instance. */
export function outcomeLine(id: string, outcome: Outcome): string {
  switch (outcome.kind) {
    case "ran":
      return `ran      ${id} (${seconds(outcome.ms)})`;
    case "fresh":
      return `fresh    ${id}`;
    case "reused":
      return `reused   ${id} (${outcome.note})`;
    case "would-run":
      return `would run ${id}: ${outcome.reasons.join("; ")}`;
    case "failed":
      return `FAILED   ${id}: ${outcome.error}`;
    case "skipped":
      return `skipped  ${id}: ${outcome.reason}`;
  }
}

/** Writes run events as text to a stream: live lines on a terminal, log lines otherwise. */
export class ConsoleReporter implements RunReporter {
  #running = new Map<string, Running>();
  #drawn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastPlain = new Map<string, number>();

  constructor(
    private readonly out: { writeSync(b: Uint8Array): number } = Deno.stderr,
    private readonly live: boolean = Deno.stderr.isTerminal(),
    private readonly showStageLogs = true,
    private readonly verbose = false,
  ) {}

  started(id: string): void {
    this.#running.set(id, { start: performance.now(), done: 0, total: 0, note: "" });
    if (this.live) this.#ensureTimer();
    else this.#print(`start    ${id}`);
  }

  progress(id: string, done: number, total: number, note?: string): void {
    const r = this.#running.get(id);
    if (!r) return;
    Object.assign(r, { done, total, note: note ?? r.note });
    if (!this.live) {
      // Plain logs get a progress line at most every 10 seconds per stage.
      const now = performance.now();
      if (now - (this.#lastPlain.get(id) ?? r.start) >= 10_000 || done === total) {
        this.#lastPlain.set(id, now);
        this.#print(`progress ${progressLine(id, r, now)}`);
      }
    }
  }

  log(id: string, line: string): void {
    if (this.showStageLogs) this.#print(`[${id}] ${line}`);
  }

  waiting(id: string, holder: LockHolder | null): void {
    const who = holder ? `pid ${holder.pid} on ${holder.hostname}` : "another process";
    this.#print(`wait     ${id}: being produced by ${who}; waiting for it`);
  }

  notice(message: string): void {
    this.#print(`note     ${message}`);
  }

  finished(id: string, outcome: Outcome): void {
    this.#running.delete(id);
    this.#lastPlain.delete(id);
    // Would-run and skipped lines come with the summary, in DAG order, grouped when many.
    const atSummary = outcome.kind === "would-run" || outcome.kind === "skipped";
    if (!atSummary && outcome.kind !== "fresh") this.#print(outcomeLine(id, outcome));
    if (outcome.kind === "failed" && outcome.detail && this.verbose) {
      for (const line of outcome.detail.split("\n")) this.#print(`         ${line}`);
    }
    if (this.live && this.#running.size === 0) this.#stopTimer();
  }

  /** Prints the end-of-run summary line. */
  summary(summary: RunSummary): void {
    this.#stopTimer();
    const listed: ListedLine[] = [];
    for (const [id, o] of summary.outcomes) {
      if (o.kind !== "would-run" && o.kind !== "skipped") continue;
      const group = o.kind === "skipped" ? "skipped" : "to run";
      listed.push({ stage: stageOf(id), group, text: outcomeLine(id, o) });
    }
    for (const line of groupedLines(listed, this.verbose)) this.#print(line);
    const counts = new Map<string, number>();
    for (const o of summary.outcomes.values()) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    const part = (kind: string, word = kind) => `${counts.get(kind) ?? 0} ${word}`;
    const parts = [part("ran"), part("fresh"), part("reused"), part("failed"), part("skipped")];
    if (counts.has("would-run")) parts.unshift(part("would-run", "would run"));
    this.#print(`summary  ${parts.join(", ")} in ${seconds(summary.ms)}`);
  }

  #print(line: string): void {
    this.#clear();
    this.out.writeSync(new TextEncoder().encode(line + "\n"));
    this.#draw();
  }

  #clear(): void {
    if (!this.live || this.#drawn === 0) return;
    this.out.writeSync(new TextEncoder().encode(`\x1b[${this.#drawn}A\x1b[J`));
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.live || this.#running.size === 0) return;
    const now = performance.now();
    const width = (() => {
      try {
        return Deno.consoleSize().columns || 100;
      } catch {
        return 100;
      }
    })();
    const lines = [...this.#running].map(([id, r]) =>
      `  ${progressLine(id, r, now)}`.slice(0, width - 1)
    );
    this.out.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
    this.#drawn = lines.length;
  }

  #ensureTimer(): void {
    this.#timer ??= setInterval(() => {
      this.#clear();
      this.#draw();
    }, REDRAW_MS);
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear();
  }
}

/** Receives a run's events and shows none (benchmarks; the read-only check's dry run). */
export const SILENT_REPORTER: RunReporter = {
  started() {},
  progress() {},
  log() {},
  waiting() {},
  notice() {},
  finished() {},
};
