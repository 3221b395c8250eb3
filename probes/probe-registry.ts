import { probeHttp } from './http.js';
import type { ProbeDeps, ProbeFunction, ProbeResult, ProbeTarget } from './probe-types.js';

type ProbeRegistry = { [Type in ProbeTarget['type']]: ProbeFunction<Extract<ProbeTarget, { type: Type }>> };

/** Probe type → probe. A new probe type is a new file and one line here. */
export const probeRegistry: ProbeRegistry = {
  http: probeHttp,
};

export function runProbe(target: ProbeTarget, deps: ProbeDeps): Promise<ProbeResult> {
  const probe = probeRegistry[target.type] as ProbeFunction;
  return probe(target, deps);
}
