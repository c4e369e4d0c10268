/**
 * Runs a command with a folder that really cannot be written, even by root (tests run as root in
 * CI, where `chmod a-w` stops nobody): the command runs in a private mount namespace (`unshare
 * --user --map-root-user --mount`) where the folder is bind-mounted read-only, or replaced by a
 * small tmpfs holding a copy of it that is then filled to the last byte (a full disk). Where user
 * namespaces are not available, a read-only folder falls back to `chmod` (as another user than
 * root) or to dropping root's CAP_DAC_OVERRIDE with `capsh`; a full disk then cannot be made, and
 * the call throws saying so rather than pretend.
 *
 * @module
 */

/** How the folder is denied writes. */
export type Denial = "read-only" | "full";

/** The exit code and output of a command run under a denial. */
export interface DeniedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** How writes were denied (for the test's own messages). */
  readonly technique: string;
}

let namespaces: Promise<boolean> | undefined;

/** True when this machine lets us make a private mount namespace. */
function haveNamespaces(): Promise<boolean> {
  return namespaces ??= new Deno.Command("unshare", {
    args: ["--user", "--map-root-user", "--mount", "true"],
    stdout: "null",
    stderr: "null",
  }).output().then((o) => o.success, () => false);
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `command` (argv) in `cwd` with `folder` denied writes. The folder must exist. For `full`,
 * `sizeKiB` is the size of the tmpfs (it must hold a copy of the folder).
 */
export async function runDenied(
  denial: Denial,
  folder: string,
  command: readonly string[],
  options: { cwd: string; env?: Record<string, string>; sizeKiB?: number },
): Promise<DeniedRun> {
  const run = command.map(quote).join(" ");
  let script: string, technique: string, wrapper: string[];
  if (await haveNamespaces()) {
    wrapper = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c"];
    if (denial === "read-only") {
      technique = "read-only bind mount in a user namespace";
      script = `mount --bind ${quote(folder)} ${quote(folder)} && ` +
        `mount -o remount,ro,bind ${quote(folder)} && exec ${run}`;
    } else {
      technique = "a full tmpfs in a user namespace";
      const copy = `${folder}.copy-${crypto.randomUUID().slice(0, 8)}`;
      script = `cp -a ${quote(folder)} ${quote(copy)} && ` +
        `mount -t tmpfs -o size=${options.sizeKiB ?? 1024}k tmpfs ${quote(folder)} && ` +
        `cp -a ${quote(copy)}/. ${quote(folder)}/ && rm -rf ${quote(copy)} && ` +
        `(dd if=/dev/zero of=${quote(folder)}/.fill bs=4k 2>/dev/null; true) && ` +
        `(dd if=/dev/zero of=${quote(folder)}/.fill2 bs=1 2>/dev/null; true) && exec ${run}`;
    }
  } else if (denial === "full") {
    throw new Error(
      "cannot make a full disk here: it needs `unshare --user --mount` (user namespaces)",
    );
  } else if (Deno.uid() !== 0) {
    technique = "chmod -R a-w as a user other than root";
    wrapper = ["sh", "-c"];
    script = `chmod -R a-w ${quote(folder)}; ${run}; s=$?; chmod -R u+w ${quote(folder)}; exit $s`;
  } else {
    technique = "chmod -R a-w with root's CAP_DAC_OVERRIDE dropped (capsh)";
    wrapper = ["sh", "-c"];
    const drop = "cap_dac_override,cap_dac_read_search,cap_fowner";
    script = `chmod -R a-w ${quote(folder)}; capsh --drop=${drop} -- -c ${quote(`exec ${run}`)}; ` +
      `s=$?; chmod -R u+w ${quote(folder)}; exit $s`;
  }
  const out = await new Deno.Command(wrapper[0], {
    args: [...wrapper.slice(1), script],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout),
    stderr: text.decode(out.stderr),
    technique,
  };
}
