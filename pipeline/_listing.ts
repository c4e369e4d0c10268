/**
 * Lists of instances that stay readable at the paper's scale (hundreds of instances, reports that
 * read every run): a long list is cut to its first few ids and "and N more", and many lines are
 * grouped by stage with the first few of each; `--verbose` prints them all.
 *
 * @module
 */

/** Up to this many lines are printed as they are; beyond it they are grouped by stage. */
export const LIST_LIMIT = 30;

/** Lines shown per stage (and status) when grouped. */
const PER_GROUP = 3;

/** `a, b, c and 7 more` (all of them when `verbose`). */
export function abbreviateList(ids: readonly string[], verbose = false, first = 3): string {
  return verbose || ids.length <= first
    ? ids.join(", ")
    : `${ids.slice(0, first).join(", ")} and ${ids.length - first} more`;
}

/** One line of a list: the instance's stage, a group word (status, outcome) and its text. */
export interface ListedLine {
  readonly stage: string;
  readonly group: string;
  readonly text: string;
}

/**
 * The lines as they are when few or `verbose`; otherwise, per stage and group in order of first
 * appearance, the first few lines and a count of the rest.
 */
export function groupedLines(lines: readonly ListedLine[], verbose: boolean): string[] {
  if (verbose || lines.length <= LIST_LIMIT) return lines.map((l) => l.text);
  const groups = new Map<string, ListedLine[]>();
  for (const l of lines) {
    const key = `${l.stage}\u0000${l.group}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const out: string[] = [];
  for (const members of groups.values()) {
    out.push(...members.slice(0, PER_GROUP).map((l) => l.text));
    if (members.length > PER_GROUP) {
      const { stage, group } = members[0];
      out.push(
        `         and ${members.length - PER_GROUP} more ${stage} ${group} (--verbose lists all)`,
      );
    }
  }
  return out;
}

/** The stage name of an instance id (`train[n=1]` → `train`). */
export function stageOf(id: string): string {
  const bracket = id.indexOf("[");
  return bracket < 0 ? id : id.slice(0, bracket);
}
