/** Poll `probe` every `everyMs` until it answers a value; fail with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Poll `test` every 50 ms until it holds; fail with `what` after `timeoutMs`. */
export async function until(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await waitFor(what, async () => ((await test()) ? true : undefined), timeoutMs, 50);
}
