// One value computed at most once per `ttlMs` (on the app's clock), shared by the requests that
// arrive meanwhile, including those that arrive while it is being computed. For public or
// frequently scraped pages whose figures cost seconds (90 days of availability), so that a
// crowd of citizens or a busy Prometheus never makes Sigap compute the same thing twice at once.
export function ttlCache<T>(ttlMs: number, clock: () => Date, compute: () => Promise<T>): () => Promise<T> {
  let value: { at: number; promise: Promise<T> } | null = null;
  return () => {
    const now = clock().getTime();
    if (value && now - value.at < ttlMs && now >= value.at) return value.promise;
    const promise = compute();
    value = { at: now, promise };
    // A failure is not kept: the next request tries again.
    promise.catch(() => {
      if (value?.promise === promise) value = null;
    });
    return promise;
  };
}
