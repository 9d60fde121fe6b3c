/** The fingerprint that binds an Idempotency-Key to its call (api/workflow-refusals.ts). */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { fingerprint } from '../../api/workflow-refusals';

describe('Idempotency-Key fingerprints', () => {
  it('ignore the order of object keys, at every depth', () => {
    const a = { action: 'revision', target: '2026-11/c-1', body: { answer: 'ok', excludeRequestIds: ['r2', 'r1'] } };
    const b = { body: { excludeRequestIds: ['r2', 'r1'], answer: 'ok' }, target: '2026-11/c-1', action: 'revision' };
    assert.equal(fingerprint(a), fingerprint(b));
  });

  it('tell apart another value, another array order, another target', () => {
    const base = { action: 'validation', target: 'req-1', body: { decision: 'approve' } };
    const others = [
      { ...base, body: { decision: 'reject', reason: 'risk' } },
      { ...base, target: 'req-2' },
      { ...base, action: 'start' },
      { action: 'revision', target: 't', body: { excludeRequestIds: ['r1', 'r2'] } },
    ];
    const prints = new Set([base, ...others].map(fingerprint));
    assert.equal(prints.size, 5);
    assert.notEqual(fingerprint({ ids: ['r1', 'r2'] }), fingerprint({ ids: ['r2', 'r1'] }), 'an array is a list, not a set');
  });

  it('of a flat filing, equal the hash stored in filing_keys before it was shared (repeats of old keys still match)', () => {
    const fields = { site: 'DC-1', summary: 'Swap disk', instructions: 'Swap disk 3.', priority: 'normal', taskType: 'disk', scheduledFor: '2026-12-05T10:00:00Z' };
    const stored = crypto.createHash('sha256')
      .update(JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([x], [y]) => x.localeCompare(y)))))
      .digest('hex');
    assert.equal(fingerprint(fields), stored);
  });
});
