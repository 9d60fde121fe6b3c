/**
 * D7 indicators for one month (the procedure leaves them "to be defined"), per client and overall.
 *
 * Definitions (all durations in ms, rounded to the whole ms):
 * - time to validate: filed → validated (approved by the L1 operator), incompleteness rounds included;
 * - time to execute: execution started → actions reported (the hands-on time of R3/R4);
 * - time to close: filed → closed with the client's conformity (R5), end to end;
 * - sent back incomplete: share of requests with at least one incompleteness round (R2);
 * - rejection: share of requests REJECTED (R2);
 * - first time right: share of CLOSED requests closed with zero modification rounds (R4);
 * - SLA attainment per priority: share of requests without a breach. Validation counts every request;
 *   execution counts the requests whose execution clock ran (validated, started, or breached).
 * A share is a number in [0, 1], or null when its denominator is 0; a duration statistic is null when
 * no request has both ends of it. A negative duration (inconsistent data) is left out, not clamped.
 *
 * Pure and single pass over the rows (plus one sort per duration list for the medians).
 */
import { PRIORITIES, type Priority } from './request-types';

export interface IndicatorRow {
  clientId: string;
  priority: Priority;
  status: string;
  filedAt: number;
  validatedAt?: number;
  executionStartedAt?: number;
  reportedAt?: number;
  closedAt?: number;
  incompleteRounds: number;
  modificationRounds: number;
  validationSlaBreached: boolean;
  executionSlaBreached: boolean;
}

export interface DurationStats {
  /** Requests measured. */
  count: number;
  medianMs: number | null;
  meanMs: number | null;
}

export interface SlaAttainment {
  requests: number;
  /** Share of requests whose validation met its SLA. */
  validation: number | null;
  /** Share of requests whose execution clock ran and met its SLA. */
  execution: number | null;
  /** Share of requests with no breach at all. */
  overall: number | null;
}

export interface Indicators {
  count: number;
  closed: number;
  rejected: number;
  timeToValidate: DurationStats;
  timeToExecute: DurationStats;
  timeToClose: DurationStats;
  sentBackIncompleteShare: number | null;
  rejectionShare: number | null;
  firstTimeRightShare: number | null;
  slaAttainment: Record<Priority, SlaAttainment>;
}

export interface IndicatorReport {
  overall: Indicators;
  /** Keyed by clientId, keys in sorted order. */
  perClient: Record<string, Indicators>;
}

export function computeIndicators(rows: Iterable<IndicatorRow>): IndicatorReport {
  const overall = new IndicatorAccumulator();
  const perClient = new Map<string, IndicatorAccumulator>();
  for (const row of rows) {
    overall.add(row);
    let client = perClient.get(row.clientId);
    if (!client) {
      client = new IndicatorAccumulator();
      perClient.set(row.clientId, client);
    }
    client.add(row);
  }
  // Sorted keys and Object.fromEntries: deterministic order, and an id like "__proto__" stays a plain key.
  const clientIds = [...perClient.keys()].sort();
  return {
    overall: overall.result(),
    perClient: Object.fromEntries(clientIds.map((id) => [id, (perClient.get(id) as IndicatorAccumulator).result()])),
  };
}

/** Share in [0, 1], or null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Median of numbers (mean of the two middle values for an even count), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// ---------------------------------------------------------------------------------------------

class DurationCollector {
  private readonly values: number[] = [];
  private sum = 0;

  add(start: number | undefined, end: number | undefined): void {
    if (start === undefined || end === undefined) return;
    const duration = end - start;
    if (!Number.isFinite(duration) || duration < 0) return;
    this.values.push(duration);
    this.sum += duration;
  }

  result(): DurationStats {
    const count = this.values.length;
    const middle = median(this.values);
    return {
      count,
      medianMs: middle === null ? null : Math.round(middle),
      meanMs: count === 0 ? null : Math.round(this.sum / count),
    };
  }
}

class SlaCounter {
  requests = 0;
  validationMet = 0;
  executionApplicable = 0;
  executionMet = 0;
  noBreach = 0;

  add(row: IndicatorRow): void {
    this.requests += 1;
    if (!row.validationSlaBreached) this.validationMet += 1;
    if (executionClockRan(row)) {
      this.executionApplicable += 1;
      if (!row.executionSlaBreached) this.executionMet += 1;
    }
    if (!row.validationSlaBreached && !row.executionSlaBreached) this.noBreach += 1;
  }

  result(): SlaAttainment {
    return {
      requests: this.requests,
      validation: share(this.validationMet, this.requests),
      execution: share(this.executionMet, this.executionApplicable),
      overall: share(this.noBreach, this.requests),
    };
  }
}

class IndicatorAccumulator {
  private count = 0;
  private closed = 0;
  private closedFirstTime = 0;
  private rejected = 0;
  private sentBackIncomplete = 0;
  private readonly toValidate = new DurationCollector();
  private readonly toExecute = new DurationCollector();
  private readonly toClose = new DurationCollector();
  private readonly sla = new Map<Priority, SlaCounter>(PRIORITIES.map((p) => [p, new SlaCounter()]));

  add(row: IndicatorRow): void {
    this.count += 1;
    if (row.incompleteRounds > 0) this.sentBackIncomplete += 1;
    if (row.status === 'REJECTED') this.rejected += 1;
    if (row.status === 'CLOSED') {
      this.closed += 1;
      if (row.modificationRounds === 0) this.closedFirstTime += 1;
      this.toClose.add(row.filedAt, row.closedAt);
    }
    this.toValidate.add(row.filedAt, row.validatedAt);
    this.toExecute.add(row.executionStartedAt, row.reportedAt);
    // An unknown priority is a data error upstream: leave it out of the SLA table rather than fail the report.
    this.sla.get(row.priority)?.add(row);
  }

  result(): Indicators {
    return {
      count: this.count,
      closed: this.closed,
      rejected: this.rejected,
      timeToValidate: this.toValidate.result(),
      timeToExecute: this.toExecute.result(),
      timeToClose: this.toClose.result(),
      sentBackIncompleteShare: share(this.sentBackIncomplete, this.count),
      rejectionShare: share(this.rejected, this.count),
      firstTimeRightShare: share(this.closedFirstTime, this.closed),
      slaAttainment: Object.fromEntries(
        PRIORITIES.map((priority) => [priority, (this.sla.get(priority) as SlaCounter).result()]),
      ) as Record<Priority, SlaAttainment>,
    };
  }
}

function executionClockRan(row: IndicatorRow): boolean {
  return row.validatedAt !== undefined || row.executionStartedAt !== undefined || row.executionSlaBreached;
}
