// ITIL priority: impact × urgency (DESIGN §4). Priority is always computed, never typed.
import type { Urgency } from './taxonomy.js';

export type Impact = 'high' | 'medium' | 'low';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

const MATRIX: Readonly<Record<Impact, Readonly<Record<Urgency, Priority>>>> = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P5' },
};

export function priorityOf(impact: Impact, urgency: Urgency): Priority {
  return MATRIX[impact][urgency];
}
