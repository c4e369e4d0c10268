/**
 * A session: the objects one command works with (artifact store, hash state, fingerprinter,
 * evaluator) and the freshness of the whole DAG, computed in topological order.
 *
 * @module
 */
import { CodeFingerprinter } from "./fingerprint.ts";
import type { Dag, DagNode } from "./graph.ts";
import { HashState } from "./hash_state.ts";
import { Evaluator, type NodeState } from "./status.ts";
import { ArtifactStore, type Manifest, osReason } from "./store.ts";

/** The objects a command uses, rooted at one project and one artifacts directory. */
export interface Session {
  readonly projectRoot: string;
  readonly store: ArtifactStore;
  readonly hashes: HashState;
  readonly evaluator: Evaluator;
  /** The project's git revision (`-dirty` when the work tree differs), or null without git. */
  gitRevision(): Promise<string | null>;
}

/**
 * Opens a session (loads the hash state). Writes nothing, so that reading commands work on a store
 * that cannot be written; a store path that is not a readable folder is an error naming it.
 */
export async function openSession(projectRoot: string, artifactsDir: string): Promise<Session> {
  const store = new ArtifactStore(artifactsDir);
  await checkStoreFolder(artifactsDir);
  const hashes = await HashState.load(store.hashStatePath);
  const evaluator = new Evaluator(
    projectRoot,
    store,
    hashes,
    new CodeFingerprinter(projectRoot, hashes, `${artifactsDir}/.pipeline/runtime-code.json`),
  );
  let revision: Promise<string | null> | undefined;
  const gitRevision = () => revision ??= readGitRevision(projectRoot);
  return { projectRoot, store, hashes, evaluator, gitRevision };
}

async function checkStoreFolder(root: string): Promise<void> {
  try {
    if (!(await Deno.stat(root)).isDirectory) {
      throw new Error(`the artifact store ${root} is not a folder`);
    }
    for await (const _ of Deno.readDir(root)) break;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // created by the first write
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new Error(`the artifact store ${root} cannot be read: ${osReason(error)}`);
    }
    throw error;
  }
}

async function readGitRevision(root: string): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", {
      args: ["describe", "--always", "--dirty", "--abbrev=40"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** The state of every node of the DAG (each evaluated after its upstream), in DAG order. */
export async function evaluateAll(
  session: Session,
  dag: Dag,
): Promise<Map<DagNode, NodeState>> {
  const states = new Map<DagNode, NodeState>();
  const manifests = new Map<DagNode, Manifest>();
  // Nodes of one topological "level" are independent: evaluate them concurrently.
  const pending = new Map<DagNode, Promise<NodeState>>();
  const stateOf = (node: DagNode): Promise<NodeState> => {
    let p = pending.get(node);
    if (!p) {
      p = Promise.all(node.upstream.map(stateOf)).then(() =>
        session.evaluator.evaluate(node, manifests)
      ).then((s) => {
        if (s.status === "fresh") manifests.set(node, s.manifest);
        states.set(node, s);
        return s;
      });
      pending.set(node, p);
    }
    return p;
  };
  await Promise.all(dag.nodes.map(stateOf));
  return new Map(dag.nodes.map((n) => [n, states.get(n)!]));
}
