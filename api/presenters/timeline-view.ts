// An incident's timeline: its events and the probe results around it, merged by time, newest first.
// Long runs of identical results collapse into one row ("12× up") so the events stay readable.
import type { IncidentEvent } from '../../detector/incidents/incident-events.js';
import type { StoredResult } from '../../detector/detection/check-types.js';
import { errorCodeText, failureKindText, resultStatusText } from '../../detector/incidents/probe-words.js';
import type { Formatters } from './formatters.js';

/** Runs of at least this many identical results show as one row. */
const COMPACT_FROM = 3;

const sameOutcome = (a: StoredResult, b: StoredResult) => a.status === b.status && a.failureKind === b.failureKind && a.httpStatus === b.httpStatus && a.errorCode === b.errorCode;

/** Consecutive identical results as runs; an event between two results ends the run. */
function runsOf(results: readonly StoredResult[], eventTimes: readonly number[]): StoredResult[][] {
  const runs: StoredResult[][] = [];
  for (const r of results) {
    const last = runs[runs.length - 1];
    const prev = last?.[last.length - 1];
    const eventBetween = prev !== undefined && eventTimes.some((t) => t >= prev.startedAt.getTime() && t < r.startedAt.getTime());
    if (last && !eventBetween && sameOutcome(last[0]!, r)) last.push(r);
    else runs.push([r]);
  }
  return runs.flatMap((run) => (run.length >= COMPACT_FROM ? [run] : run.map((r) => [r])));
}

function resultRow(run: StoredResult[], fmt: Formatters) {
  const first = run[0]!;
  const last = run[run.length - 1]!;
  const durations = run.map((r) => r.durationMs);
  return {
    result: true,
    at: fmt.dateTime(first.startedAt),
    until: run.length > 1 ? fmt.dateTime(last.startedAt) : null,
    count: run.length,
    compact: run.length > 1,
    status: resultStatusText(first.status, fmt.lang),
    statusClass: `state-${first.status}`,
    failureKind: failureKindText(first.failureKind, fmt.lang),
    httpStatus: first.httpStatus,
    errorCode: first.errorCode ? (errorCodeText(first.errorCode, fmt.lang) ?? first.errorCode) : null,
    duration: run.length > 1 ? `${Math.min(...durations)}–${Math.max(...durations)} ms` : `${first.durationMs} ms`,
  };
}

/**
 * Events and result rows, newest first, so the latest change is at the top of the history; a result
 * and an event at the same instant show the event above the result (it is what Sigap made of it).
 */
export function timelineView<E extends object>(events: ReadonlyArray<{ event: IncidentEvent; view: E }>, results: readonly StoredResult[], fmt: Formatters) {
  const rows: Array<{ time: number; order: number; row: object }> = [
    ...runsOf(
      results,
      events.map(({ event }) => event.at.getTime()),
    ).map((run, n) => ({ time: run[0]!.startedAt.getTime(), order: n, row: resultRow(run, fmt) })),
    ...events.map(({ event, view }, n) => ({ time: event.at.getTime(), order: results.length + n, row: { event: true, ...view } })),
  ];
  return rows.sort((a, b) => b.time - a.time || b.order - a.order).map((r) => r.row);
}
