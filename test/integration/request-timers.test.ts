/**
 * Durable timers of a request (D6, D7): SLA breaches, reminders, and the silence policy, firing for real
 * on the dev server (no time skipping). The durations are short because the requests are filed through
 * an API whose configuration says so; a request keeps the policy it was filed under.
 */
import assert from 'node:assert/strict';
import { startApiVariant, testEnv, type ApiVariant, type TestEnv } from '../support/env';
import { act, createClient, createStaff, fileRequest, VALID_FILING, waitForRequest, type ClientFixture, type StaffFixture } from '../support/http';

interface EventView {
  seq: number;
  type: string;
  at: string;
  actor: { id: string; role: string };
  [detail: string]: unknown;
}

const REMINDER_EVERY_MS = 1000;
const SILENCE_AFTER_MS = 3500;
/** Reminders due strictly before the silence policy acts: at 1s, 2s and 3s. */
const REMINDERS_BEFORE_SILENCE = Math.ceil(SILENCE_AFTER_MS / REMINDER_EVERY_MS) - 1;

describe('request timers', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let client: ClientFixture;
  let staff: StaffFixture;
  let shortSilence: ApiVariant;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    staff = await createStaff(env);
    shortSilence = await startApiVariant(env, {
      RHS_REMINDER_EVERY: `${REMINDER_EVERY_MS}ms`,
      RHS_SILENCE_AFTER: `${SILENCE_AFTER_MS}ms`,
      RHS_SILENCE_POLICY_CORRECTION: 'cancel',
      RHS_SILENCE_POLICY_CONFIRMATION: 'close_tacit',
    });
  });
  after(() => shortSilence?.close());

  const typesOf = (events: EventView[]) => events.map((e) => e.type);
  const ofType = (events: EventView[], type: string) => events.filter((e) => e.type === type);

  async function notificationKinds(requestId: string): Promise<{ kind: string; recipient: string }[]> {
    return env.db('notifications').where({ request_id: requestId }).select('kind', 'recipient');
  }

  function assertSystemEvent(event: EventView) {
    assert.deepEqual(event.actor, { id: 'system', role: 'system' });
  }

  it('D7: an urgent request not validated within its SLA gets validation_sla_breached, notified to operators and SLA managers', async () => {
    const filed = await fileRequest(env, client.authorized, { ...VALID_FILING, priority: 'urgent' });
    assert.equal(filed.status, 201);
    const breached = await waitForRequest(env, staff.operator, filed.body.id, (r) => typesOf(r.events).includes('validation_sla_breached'));
    const [event] = ofType(breached.events, 'validation_sla_breached');
    assertSystemEvent(event);
    assert.equal(event.priority, 'urgent');
    const late = Date.parse(event.at) - Date.parse(breached.createdAt);
    assert.ok(late >= 2000 && late < 10_000, `breach recorded ${late}ms after filing; the urgent SLA is 2s`);
    assert.equal(breached.status, 'IN_VALIDATION', 'a breach is recorded, it changes no state');
    assert.deepEqual(breached.slaBreached, { validation: true, execution: false });
    const notified = (await notificationKinds(filed.body.id)).filter((n) => n.kind === 'validation_sla_breached').map((n) => n.recipient).sort();
    assert.deepEqual(notified, ['role:operator_l1', 'role:sla_manager']);
    // The request goes on normally after its breach.
    assert.equal((await act(env, staff.operator, filed.body.id, 'validation', { decision: 'approve' })).body.status, 'APPROVED');
  });

  it('D7: an urgent request approved in time but not executed within its SLA gets execution_sla_breached, and only that', async () => {
    const filed = await fileRequest(env, client.authorized, { ...VALID_FILING, priority: 'urgent' });
    await act(env, staff.operator, filed.body.id, 'validation', { decision: 'approve' });
    await act(env, staff.operator, filed.body.id, 'start');
    const breached = await waitForRequest(env, staff.operator, filed.body.id, (r) => typesOf(r.events).includes('execution_sla_breached'));
    assert.equal(breached.status, 'IN_EXECUTION');
    assert.deepEqual(breached.slaBreached, { validation: false, execution: true });
    assert.equal(ofType(breached.events, 'validation_sla_breached').length, 0);
    assertSystemEvent(ofType(breached.events, 'execution_sla_breached')[0]);
  });

  it('D6: a request awaiting correction gets reminders, then is cancelled by the silence policy, recorded as such', async () => {
    const { body: request } = await fileRequest(shortSilence, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'incomplete', reason: 'Which rack?' });
    const ended = await waitForRequest(env, client.authorized, request.id, (r) => r.status === 'CANCELLED');
    const events: EventView[] = ended.events;
    assert.deepEqual(typesOf(events), ['filed', 'validation_incomplete', ...Array<string>(REMINDERS_BEFORE_SILENCE).fill('reminder_sent'), 'silence_cancelled']);
    ofType(events, 'reminder_sent').forEach((reminder, i) => {
      assertSystemEvent(reminder);
      assert.equal(reminder.awaiting, 'AWAITING_CORRECTION');
      assert.equal(reminder.reminder, i + 1);
    });
    const [silence] = ofType(events, 'silence_cancelled');
    assertSystemEvent(silence);
    assert.equal(silence.policy, 'cancel');
    assert.equal(silence.from, 'AWAITING_CORRECTION');
    const silentFor = Date.parse(silence.at) - Date.parse(events[1].at);
    assert.ok(silentFor >= SILENCE_AFTER_MS, `cancelled after ${silentFor}ms of silence`);
    assert.equal(ended.closure, null, 'D1: a cancelled request is no intervention');
    const kinds = (await notificationKinds(request.id)).map((n) => n.kind);
    assert.equal(kinds.filter((k) => k === 'reminder').length, REMINDERS_BEFORE_SILENCE);
    assert.equal(kinds.filter((k) => k === 'silence_cancelled').length, 2, 'the client and the operators are told');
  });

  it('D6, D1, R5: a request awaiting confirmation gets reminders, then closes with tacit conformity, recorded as such', async () => {
    const { body: request } = await fileRequest(shortSilence, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    await act(env, staff.operator, request.id, 'start');
    await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'Done.' });
    const closed = await waitForRequest(env, client.authorized, request.id, (r) => r.status === 'CLOSED');
    const events: EventView[] = closed.events;
    assert.deepEqual(typesOf(events).slice(4), [...Array<string>(REMINDERS_BEFORE_SILENCE).fill('reminder_sent'), 'silence_tacit_conformity']);
    assert.ok(ofType(events, 'reminder_sent').every((r) => r.awaiting === 'AWAITING_CONFIRMATION'));
    const [tacit] = ofType(events, 'silence_tacit_conformity');
    assertSystemEvent(tacit);
    assert.equal(tacit.policy, 'close_tacit');
    assert.equal(closed.closure, 'tacit_conformity');
    assert.equal(closed.closedAt, tacit.at);
    const late = await act(env, client.authorized, request.id, 'confirmation', { decision: 'accept' });
    assert.equal(late.status, 409, 'nothing to confirm once closed');
  });

  it('D6: an answer before the silence ends the waiting: no cancellation, and reminders start over in the next wait', async () => {
    const { body: request } = await fileRequest(shortSilence, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'incomplete', reason: 'Which rack?' });
    await waitForRequest(env, client.authorized, request.id, (r) => typesOf(r.events).includes('reminder_sent'));
    const corrected = await act(env, client.authorized, request.id, 'correction', { comment: 'Rack 12' });
    assert.equal(corrected.body.status, 'IN_VALIDATION');
    await new Promise((resolve) => setTimeout(resolve, SILENCE_AFTER_MS + 500));
    const later = await waitForRequest(env, client.authorized, request.id, () => true);
    assert.equal(later.status, 'IN_VALIDATION', 'the silence policy acted after the client answered');
    assert.equal(ofType(later.events, 'silence_cancelled').length, 0);
    assert.equal(typesOf(later.events).at(-1), 'corrected', 'no reminder while the operator validates');

    await act(env, staff.operator, request.id, 'validation', { decision: 'incomplete', reason: 'Which unit?' });
    const remindedAgain = await waitForRequest(env, client.authorized, request.id, (r) => typesOf(r.events).at(-1) === 'reminder_sent');
    assert.equal(remindedAgain.events.at(-1).reminder, 1, 'reminders count from the new wait');
  });
});
