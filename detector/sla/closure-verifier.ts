// Whether a resolved probe incident's check has been healthy for `verifyFor` (SOP-Insiden-003),
// read from the check's live state: the one reading behind closing by hand, auto-close and the
// incident page's checklist.
import type { PolicyConfig } from '../../config.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import type { Incident, Verification } from '../incidents/incident-types.js';
import type { Stores } from '../store/store-types.js';
import { verifyRestoration } from './closure.js';

export class ClosureVerifier {
  constructor(private readonly deps: { checks: Pick<CheckLookup, 'check'>; policy: Pick<PolicyConfig, 'verifyForMs'> }) {}

  async verify(stores: Stores, incident: Pick<Incident, 'source' | 'check'>, now: Date): Promise<Verification> {
    const check = incident.check ? await stores.checks.getCheck(incident.check) : null;
    const config = incident.check ? this.deps.checks.check(incident.check) : undefined;
    const { verifyForMs } = this.deps.policy;
    // Two missed probes (and the time one may take) mean probing has stopped, not that all is well.
    const staleAfterMs = config ? 2 * config.intervalMs + config.timeoutMs : verifyForMs;
    return verifyRestoration({ incident, check, staleAfterMs, verifyForMs, now });
  }
}
