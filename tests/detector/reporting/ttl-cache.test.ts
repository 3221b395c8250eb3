// The status page's history is computed at most once a minute, shared by concurrent requests.
import { describe, expect, it } from 'vitest';
import { ttlCache } from '../../../detector/reporting/ttl-cache.js';

describe('ttlCache', () => {
  it('computes once for the requests that arrive within the time to live, also while computing', async () => {
    let now = new Date(0);
    let calls = 0;
    const get = ttlCache(
      60_000,
      () => now,
      async () => ++calls,
    );
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    now = new Date(59_999);
    expect(await get()).toBe(1);
    now = new Date(60_000);
    expect(await get()).toBe(2);
  });

  it('keeps no failure: the next request computes again', async () => {
    let fail = true;
    const get = ttlCache(
      60_000,
      () => new Date(0),
      async () => {
        if (fail) throw new Error('database unavailable');
        return 'ok';
      },
    );
    await expect(get()).rejects.toThrow('database unavailable');
    fail = false;
    expect(await get()).toBe('ok');
  });

  it('computes again when the clock goes back (an injected clock in tests, a corrected system clock)', async () => {
    let now = new Date(120_000);
    let calls = 0;
    const get = ttlCache(
      60_000,
      () => now,
      async () => ++calls,
    );
    await get();
    now = new Date(0);
    expect(await get()).toBe(2);
  });
});
