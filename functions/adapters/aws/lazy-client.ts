/**
 * One value per execution environment, made by `make` on the first call rather than at
 * init (the AWS SDK clients: docs/benchmarks.md, "Dependencies as published"); `given`
 * stands in for it. A `make` that fails is tried again on the next call.
 */
export function lazyClient<T>(make: () => Promise<T>, given?: T): () => Promise<T> {
  let client: Promise<T> | undefined = given === undefined ? undefined : Promise.resolve(given);
  return () => {
    client ??= make().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
}
