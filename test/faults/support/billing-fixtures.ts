/**
 * A billing month made through the public API: clients with a known contract, their interventions
 * imported as closed in a past period, and the statements that month must produce.
 */
import crypto from 'node:crypto';
import { callApi } from './api-client';
import { createClientParty, createUser, type ClientParty, type Party } from './fixtures';

/** Every client of the billing tests: 5 included, excess billed at 100.00 USD. */
const CONTRACT = { includedInterventions: 5, billingMode: 'excess', unitPrice: '100.00', currency: 'USD' };

export interface ExpectedStatement {
  clientId: string;
  interventions: number;
  billableQuantity: number;
  amountMinor: number;
  billable: boolean;
}

export interface BillingMonth {
  period: string;
  clients: ClientParty[];
  expected: Map<string, ExpectedStatement>;
  slaManager: Party;
  accountExecutive: Party;
}

/** Interventions per client: billable ones (6-11) and some within the included five. */
export async function prepareBillingMonth(apiUrl: string, adminToken: string, period: string, counts: number[]): Promise<BillingMonth> {
  const clients: ClientParty[] = [];
  for (let i = 0; i < counts.length; i += 1) clients.push(await createClientParty(apiUrl, adminToken, CONTRACT));
  const requests = clients.flatMap((client, c) =>
    Array.from({ length: counts[c] }, (_, i) => ({
      externalId: `faults-${period}-${crypto.randomBytes(6).toString('hex')}`,
      clientId: client.clientId,
      site: 'DC-BILL',
      summary: `Carried-over intervention ${i + 1}`,
      instructions: 'Swap the failed disk in rack 3.',
      createdAt: `${period}-${String(2 + (i % 20)).padStart(2, '0')}T08:00:00Z`,
      closedAt: `${period}-${String(2 + (i % 20)).padStart(2, '0')}T12:00:00Z`,
    })),
  );
  const imported = await callApi(apiUrl, { method: 'POST', path: '/v1/imports/requests', token: adminToken, body: { requests } });
  if (imported.status !== 200 || imported.body.imported !== requests.length) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body)}`);
  const expected = new Map(
    clients.map((client, c) => {
      const billableQuantity = Math.max(0, counts[c] - CONTRACT.includedInterventions);
      return [client.clientId, { clientId: client.clientId, interventions: counts[c], billableQuantity, amountMinor: billableQuantity * 10_000, billable: billableQuantity > 0 }];
    }),
  );
  const slaManager = await createUser(apiUrl, adminToken, { role: 'sla_manager' });
  const accountExecutive = await createUser(apiUrl, adminToken, { role: 'account_executive', clientIds: clients.map((c) => c.clientId) });
  return { period, clients, expected, slaManager, accountExecutive };
}

/** Differences between the period's statements (as the API shows them) and what the month must produce. */
export function statementMismatches(month: BillingMonth, statements: Array<{ clientId: string; interventions: number; billableQuantity: number; amount: string; status: string }>): string[] {
  const problems: string[] = [];
  if (statements.length !== month.expected.size) problems.push(`${statements.length} statements, expected ${month.expected.size}`);
  const seen = new Set<string>();
  for (const s of statements) {
    const want = month.expected.get(s.clientId);
    if (!want) problems.push(`unexpected statement for ${s.clientId}`);
    else if (s.interventions !== want.interventions || s.billableQuantity !== want.billableQuantity || s.amount !== (want.amountMinor / 100).toFixed(2)) {
      problems.push(`${s.clientId}: ${s.interventions}/${s.billableQuantity}/${s.amount}, expected ${want.interventions}/${want.billableQuantity}/${(want.amountMinor / 100).toFixed(2)}`);
    }
    if (seen.has(s.clientId)) problems.push(`two statements for ${s.clientId}`);
    seen.add(s.clientId);
  }
  return problems;
}

export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
