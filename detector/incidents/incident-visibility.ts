// Which incidents a reader may open: the one rule every read path asks — the queue and its
// search, one incident, its timeline, suggestions, known errors and the references one incident
// makes to another. A vendor works the incidents escalated to its level (the top support level);
// every other role opens them all (DESIGN §5). What a reader may not open is answered as if it did
// not exist: 404, left out of lists, a reference to it removed.
import type { User } from '../accounts/account-types.js';
import { SUPPORT_LEVELS } from './lifecycle.js';

/** The vendor's support level: the last one. */
export const VENDOR_LEVEL = SUPPORT_LEVELS[SUPPORT_LEVELS.length - 1]!.level;

/** What a reader may open: incidents escalated at least this far. */
export interface Visibility {
  minEscalationLevel: number;
}

export function visibilityOf(user: Pick<User, 'role'>): Visibility {
  return { minEscalationLevel: user.role === 'vendor' ? VENDOR_LEVEL : 0 };
}

export function mayOpen(visibility: Visibility, incident: { escalationLevel: number }): boolean {
  return incident.escalationLevel >= visibility.minEscalationLevel;
}
