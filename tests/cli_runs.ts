/**
 * Test support for end-to-end tests: the reproduction's own command line (`pipeline/main.ts`) run
 * as a subprocess, and what a run's log says ran.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * Runs `pipeline/main.ts` with `args` from the repository's root, NO_COLOR set and `env` on top
 * of this process's environment; resolves to the exit code and stdout then stderr as one text.
 */
export async function runReproduction(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; log: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}pipeline/main.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, log: text.decode(out.stdout) + text.decode(out.stderr) };
}

/** The instances a run's log says ran (its `ran <id>` lines), sorted. */
export function ranInstances(log: string): string[] {
  return [...log.matchAll(/^ran +(\S+)/gm)].map((m) => m[1]).sort();
}
