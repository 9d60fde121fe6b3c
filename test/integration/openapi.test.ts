/**
 * The served OpenAPI document tells the truth: every JSON route names its response schema, and real
 * responses of the running product conform to those schemas (no missing field, no undocumented one).
 */
import assert from 'node:assert/strict';
import { testEnv, type TestEnv } from '../support/env';
import { act, call, createClient, createStaff, fileRequest, type ClientFixture, type StaffFixture } from '../support/http';
import { conformance } from '../support/openapi-check';
import { closingsIn, importInterventions, periodAfterExtraction } from './billing-support';

type Document = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> }>>; components: { schemas: Record<string, Record<string, unknown>> } };

const PERIOD = '2019-04';

describe('the OpenAPI document', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let document: Document;
  let client: ClientFixture;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    document = (await call(env, 'GET', '/openapi.json')).body;
    client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '10.00', currency: 'EUR' });
    staff = await createStaff(env, [client.clientId]);
  });

  function assertConforms(path: string, method: string, status: number, value: unknown): void {
    const schema = document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
    assert.ok(schema, `${method} ${path} ${status} has a response schema`);
    assert.deepEqual(conformance(document, schema, value), [], `${method} ${path} answered outside its documented schema`);
  }

  it('names a response schema for every route answering JSON', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      if (['/healthz', '/readyz', '/openapi.json'].includes(path) || path.startsWith('/codec')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
        assert.ok(success, `${method} ${path} documents a success`);
        const json = success[1].content?.['application/json'];
        if (json) assert.ok(json.schema, `${method} ${path} names its response schema`);
      }
    }
  });

  it('describes the identity answers as they are', async () => {
    assertConforms('/v1/me', 'get', 200, (await call(env, 'GET', '/v1/me', { token: staff.accountExecutive })).body);
    assertConforms('/v1/clients/{id}', 'get', 200, (await call(env, 'GET', `/v1/clients/${client.clientId}`, { token: env.adminToken })).body);
    const user = await call(env, 'POST', '/v1/users', { token: env.adminToken, body: { name: 'Doc', email: 'doc@example.test', role: 'operator_l1' } });
    assertConforms('/v1/users', 'post', 201, user.body);
  });

  it('describes requests, their events and pages as they are', async () => {
    const filed = await fileRequest(env, client.authorized);
    assertConforms('/v1/requests', 'post', 201, filed.body);
    const incomplete = await act(env, staff.operator, filed.body.id, 'validation', { decision: 'incomplete', reason: 'which rack?' });
    assertConforms('/v1/requests/{id}/validation', 'post', 200, incomplete.body);
    const corrected = await act(env, client.authorized, filed.body.id, 'correction', { comment: 'rack 4', location: 'R4' });
    assertConforms('/v1/requests/{id}/correction', 'post', 200, corrected.body);
    assertConforms('/v1/requests', 'get', 200, (await call(env, 'GET', '/v1/requests?limit=2', { token: client.authorized })).body);
  });

  it('describes billing runs, periods, statements and budget operations as they are', async () => {
    await importInterventions(env, client.clientId, closingsIn(PERIOD, 6));
    const run = await call(env, 'POST', `/v1/billing/periods/${PERIOD}/run`, { token: staff.slaManager });
    assertConforms('/v1/billing/periods/{period}/run', 'post', 201, run.body);
    await periodAfterExtraction(env, staff.slaManager, PERIOD);
    assertConforms('/v1/billing/periods/{period}', 'get', 200, (await call(env, 'GET', `/v1/billing/periods/${PERIOD}`, { token: staff.slaManager })).body);
    const statementPath = `/v1/billing/periods/${PERIOD}/statements/${client.clientId}`;
    assertConforms('/v1/billing/periods/{period}/statements/{clientId}', 'get', 200, (await call(env, 'GET', statementPath, { token: staff.accountExecutive })).body);
    const approved = await call(env, 'POST', `${statementPath}/decision`, { token: staff.accountExecutive, body: { decision: 'approve' } });
    assertConforms('/v1/billing/periods/{period}/statements/{clientId}/decision', 'post', 200, approved.body);
    assertConforms('/v1/budget-operations', 'get', 200, (await call(env, 'GET', `/v1/budget-operations?period=${PERIOD}`, { token: staff.slaManager })).body);
  });
});
