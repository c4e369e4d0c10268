/**
 * A counting semaphore: the runner's limit on concurrent executor runs (`--jobs`).
 *
 * @module
 */

/** Limits how many tasks run at once. */
export class Semaphore {
  #free: number;
  #queue: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Waits for a free slot and takes it. */
  async acquire(): Promise<void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  /** Gives a slot back (to the longest waiter, if any). */
  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}
