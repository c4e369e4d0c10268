/**
 * A compute worker of science/model/worker_pool.ts: chooses the main thread's backend, holds its
 * shards (science/model/_shard_set.ts) and answers requests one at a time, in the order they
 * come, each shard's answer as soon as it is read back. On a GPU backend its shards' programs run
 * side by side, so that the device is waited on once per request, not once per shard.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { asyncReadBack, type BackendRequest, selectBackend } from "./backend.ts";
import { runAsync, runTogether } from "./readback.ts";
import {
  programsOf,
  type ShardOutput,
  type ShardRequest,
  type ShardRows,
  ShardSet,
} from "./_shard_set.ts";
import { fromWire, toWire, type WorkerInit, type WorkerReply } from "./worker_pool.ts";

parentPort!.once("message", async (init: WorkerInit) => {
  const flags = new Int32Array(init.flags);
  const reply = (message: WorkerReply) => {
    init.port.postMessage(toWire(message));
    Atomics.add(flags, init.index, 1);
    Atomics.notify(flags, init.index);
  };
  let set: ShardSet, together: boolean;
  try {
    const backend = await selectBackend(init.backend as BackendRequest);
    together = asyncReadBack(backend.name);
    set = new ShardSet(init.model, fromWire(init.shards) as ShardRows[]);
  } catch (e) {
    return reply({ kind: "error", message: messageOf(e) });
  }
  reply({ kind: "ready" });
  let queue = Promise.resolve();
  init.port.on("message", (request: ShardRequest) => {
    const own = fromWire(request) as ShardRequest; // θ and vectors in shared buffers of their own
    queue = queue.then(() => answer(set, own, init.indices, together, reply));
  });
});

/** Answers `request` for each shard held; an error ends the answers with the error. */
async function answer(
  set: ShardSet,
  request: ShardRequest,
  indices: number[],
  together: boolean,
  reply: (message: WorkerReply) => void,
): Promise<void> {
  try {
    const open = set.open(request), programs = programsOf(open);
    try {
      const send = (output: ShardOutput, i: number) =>
        reply({ kind: "answer", shard: indices[i], output });
      if (together) (await runTogether(programs)).forEach(send);
      else for (const [i, p] of programs.entries()) send(await runAsync(p), i);
    } finally {
      open.close();
    }
  } catch (e) {
    reply({ kind: "error", message: messageOf(e) });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
