/**
 * Runs `work` over `items` with at most `limit` in flight, in order of start.
 * `shouldStart` is asked before each item starts; once it says no, the rest are
 * handed to `onNotStarted` instead (deadline reached, run stopped).
 */
export async function mapBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  shouldStart: () => boolean = () => true,
  onNotStarted: (item: T) => void = () => {},
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      if (!shouldStart()) {
        onNotStarted(item);
        continue;
      }
      await work(item);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
}
