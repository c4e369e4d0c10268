/**
 * The worker → runner protocol: stdout lines that start with the ASCII record separator (\x1e)
 * followed by JSON are messages; any other line is a log line of the stage. (Kept apart from
 * worker.ts: a stage module that imports the engine must not import the worker's main module.)
 *
 * @module
 */

/** The prefix of a message line on the worker's stdout. */
export const MESSAGE_PREFIX = "\x1e";

/** A message from a worker to the runner. */
export type WorkerMessage =
  | {
    readonly t: "progress";
    readonly done: number;
    readonly total: number;
    readonly note?: string;
  }
  | { readonly t: "log"; readonly line: string }
  | { readonly t: "record"; readonly fields: Record<string, unknown> }
  | { readonly t: "error"; readonly message: string; readonly stack?: string };
