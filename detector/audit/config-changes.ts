// What a new sigap.yaml changed, for the audit trail's `config.reloaded`: the file's checks as the
// database held them before the start against those of the file now. Pure.
import type { ServiceConfig } from '../../config.js';
import type { CheckRecord } from '../detection/check-types.js';

export interface ConfigChanges {
  checksAdded: string[];
  checksRemoved: string[];
  /** Checks whose type or target (URL, host:port, name) changed. */
  checksChanged: string[];
  servicesAdded: string[];
  servicesRemoved: string[];
}

/** Null when the file brings nothing new. `before`: every check the database held (dashboard ones are ignored). */
export function configChanges(before: readonly CheckRecord[], services: readonly ServiceConfig[]): ConfigChanges | null {
  const old = new Map(before.filter((c) => c.source === 'file' && c.active).map((c) => [c.key, c]));
  const now = new Map(services.flatMap((s) => s.checks).map((c) => [c.key, c]));
  const oldServices = new Set([...old.values()].map((c) => c.serviceKey));
  const newServices = new Set(services.filter((s) => s.checks.length > 0).map((s) => s.key));
  const changes: ConfigChanges = {
    checksAdded: [...now.keys()].filter((key) => !old.has(key)).sort(),
    checksRemoved: [...old.keys()].filter((key) => !now.has(key)).sort(),
    checksChanged: [...now.values()]
      .filter((c) => {
        const was = old.get(c.key);
        return was !== undefined && (was.type !== c.type || was.target !== c.description || was.serviceKey !== c.serviceKey);
      })
      .map((c) => c.key)
      .sort(),
    servicesAdded: [...newServices].filter((key) => !oldServices.has(key)).sort(),
    servicesRemoved: [...oldServices].filter((key) => !newServices.has(key)).sort(),
  };
  return Object.values(changes).some((list) => list.length > 0) ? changes : null;
}
