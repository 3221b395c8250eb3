import { probeDns } from './dns.js';
import { probeHttp } from './http.js';
import { probeIntegrity } from './integrity.js';
import type { ProbeDeps, ProbeFunction, ProbeResult, ProbeTarget } from './probe-types.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls.js';

type ProbeRegistry = { [Type in ProbeTarget['type']]: ProbeFunction<Extract<ProbeTarget, { type: Type }>> };

/** Probe type → probe. A new probe type is a new file and one line here. */
export const probeRegistry: ProbeRegistry = {
  http: probeHttp,
  tcp: probeTcp,
  dns: probeDns,
  tls: probeTls,
  integrity: probeIntegrity,
};

export function runProbe(target: ProbeTarget, deps: ProbeDeps): Promise<ProbeResult> {
  const probe = probeRegistry[target.type] as ProbeFunction;
  return probe(target, deps);
}
