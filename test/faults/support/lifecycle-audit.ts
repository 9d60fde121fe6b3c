/**
 * The check after each fault, read from the database and from Temporal: every lifecycle that was
 * started closed, with exactly its audit trail (seq 1..N, no gap, no extra) and exactly its
 * notifications, and its workflow completed.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../../db/connection';
import { requestWorkflowId } from '../../../workflows/request/messages';
import { EVENTS_PER_LIFECYCLE, NOTIFICATIONS_PER_LIFECYCLE } from './lifecycle-driver';

export interface LifecycleAudit {
  expected: number;
  closed: number;
  /** Lifecycles without a closed request carrying its full trail. */
  lost: number;
  /** Extra requests, audit events and notifications beyond what the lifecycles should have written. */
  duplicated: number;
  /** The first problems found, for the assertion message. */
  problems: string[];
}

interface RequestFacts {
  id: string;
  number: string;
  summary: string;
  status: string;
}

export async function auditLifecycles(db: Db, temporal: Client, run: { clientId: string; label: string; count: number }): Promise<LifecycleAudit> {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 20) problems.push(problem);
  };
  const requests = await db<RequestFacts>('requests')
    .where('client_id', run.clientId)
    .andWhere('summary', 'like', `${run.label} #%`)
    .select('id', 'number', 'summary', 'status');
  const byIndex = new Map<number, RequestFacts[]>();
  for (const request of requests) {
    const index = Number(request.summary.slice(`${run.label} #`.length));
    byIndex.set(index, [...(byIndex.get(index) ?? []), request]);
  }

  const ids = requests.map((r) => r.id);
  const events = await db('request_events').whereIn('request_id', ids).orderBy(['request_id', 'seq']).select<{ request_id: string; seq: number; type: string }[]>('request_id', 'seq', 'type');
  const eventsOf = groupBy(events, (e) => e.request_id);
  const notifications = await db('notifications').whereIn('request_id', ids).select<{ request_id: string; kind: string; recipient: string }[]>('request_id', 'kind', 'recipient');
  const notificationsOf = groupBy(notifications, (n) => n.request_id);

  let duplicated = 0;
  let closed = 0;
  let lost = 0;
  for (let index = 0; index < run.count; index += 1) {
    const found = byIndex.get(index) ?? [];
    if (found.length > 1) {
      duplicated += found.length - 1;
      note(`#${index}: ${found.length} requests filed`);
    }
    const request = found[0];
    if (!request) {
      lost += 1;
      note(`#${index}: no request`);
      continue;
    }
    const trail = eventsOf.get(request.id) ?? [];
    const seqsInOrder = trail.every((e, i) => e.seq === i + 1);
    const typesAsExpected = trail.length === EVENTS_PER_LIFECYCLE.length && trail.every((e, i) => e.type === EVENTS_PER_LIFECYCLE[i]);
    if (trail.length > EVENTS_PER_LIFECYCLE.length) duplicated += trail.length - EVENTS_PER_LIFECYCLE.length;
    const sent = notificationsOf.get(request.id) ?? [];
    const distinctSent = new Set(sent.map((n) => `${n.kind}|${n.recipient}`)).size;
    // The same notice to the same recipient twice, or more notices than the path causes.
    duplicated += sent.length - distinctSent + Math.max(0, distinctSent - NOTIFICATIONS_PER_LIFECYCLE);
    const complete = request.status === 'CLOSED' && seqsInOrder && typesAsExpected && sent.length === NOTIFICATIONS_PER_LIFECYCLE && distinctSent === sent.length;
    if (complete) {
      closed += 1;
    } else {
      lost += 1;
      note(`#${index} ${request.number}: ${request.status}, events [${trail.map((e) => `${e.seq}:${e.type}`).join(' ')}], ${sent.length} notifications (${distinctSent} distinct)`);
    }
  }

  const unfinished = await workflowsNotCompleted(temporal, requests.map((r) => r.number));
  for (const number of unfinished.slice(0, 5)) note(`workflow of ${number} is not COMPLETED`);
  if (unfinished.length > 0 && lost === 0) lost = unfinished.length;

  return { expected: run.count, closed, lost, duplicated, problems };
}

/** Workflows of the given requests that have not completed (a closed request's workflow ends right after). */
async function workflowsNotCompleted(temporal: Client, numbers: string[]): Promise<string[]> {
  const notCompleted: string[] = [];
  const queue = [...numbers];
  const worker = async () => {
    for (let number = queue.pop(); number !== undefined; number = queue.pop()) {
      let status = 'UNKNOWN';
      // The workflow finishes its last projection after the request reads CLOSED: give it a moment.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        status = (await temporal.workflow.getHandle(requestWorkflowId(number)).describe()).status.name;
        if (status === 'COMPLETED') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (status !== 'COMPLETED') notCompleted.push(`${number} (${status})`);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  return notCompleted;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
