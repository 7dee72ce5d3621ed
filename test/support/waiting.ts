export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 200 ms until it holds; rejects naming `what` after `ms`. */
export async function until(ms: number, check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(200);
  }
}

/**
 * Runs `work` on `n` workers, each taking the next item while `more()` says so (by default, while
 * items are left). The first failure stops every worker from taking more, then rejects.
 */
export async function pool<T>(items: T[], n: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await workers(
    n,
    () => next < items.length,
    async () => {
      const i = next++;
      await work(items[i], i);
    },
  );
}

/** Runs `work` on `n` workers until `more()` says stop; the first failure stops every worker, then rejects. */
export async function workers(n: number, more: () => boolean, work: (worker: number) => Promise<void>): Promise<void> {
  let failure: unknown;
  await Promise.all(
    Array.from({ length: n }, async (_, w) => {
      while (failure === undefined && more()) {
        try {
          await work(w);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
}
