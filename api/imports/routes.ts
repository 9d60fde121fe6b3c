/**
 * Carrying interventions over from the previous system (api.md, POST /v1/imports/requests): closed
 * requests that count for billing by their closing time (D1). No workflow: they are history already.
 */
import crypto from 'node:crypto';
import { existingClientIds } from '../../db/identity';
import { importClosedRequests, periodsWithRun, type ImportedRequest } from '../../db/billing';
import { periodOf } from '../../domain/periods';
import { PRIORITIES, type Priority } from '../../domain/request-types';
import type { ApiContext } from '../context';
import type { FieldError } from '../problem';
import { problems } from '../problem';
import { defineRoute, type RouteSpec } from '../route';
import { object } from '../schema';

export const MAX_IMPORT_ITEMS = 5000;

interface ImportItem {
  externalId: string;
  clientId: string;
  site: string;
  summary: string;
  instructions: string;
  priority?: Priority;
  createdAt: string;
  closedAt: string;
}

const itemSchema = object({
  externalId: { type: 'string', required: true, maxLength: 200, description: 'the id in the previous system; a repeat is skipped' },
  clientId: { type: 'string', required: true, maxLength: 64 },
  site: { type: 'string', required: true, maxLength: 200 },
  summary: { type: 'string', required: true, maxLength: 500 },
  instructions: { type: 'string', required: true, maxLength: 20_000 },
  priority: { type: 'string', enum: PRIORITIES, description: 'default normal' },
  createdAt: { type: 'string', required: true, format: 'date-time' },
  closedAt: { type: 'string', required: true, format: 'date-time', description: 'the intervention counts in the month of this instant (D1)' },
});

export function importRoutes({ db, config }: ApiContext): RouteSpec[] {
  /**
   * Interventions imported into a month that was already billed do not change its statements (a run
   * never rewrites them): say so, per period, rather than let them go unbilled silently.
   */
  async function alreadyBilled(imported: ImportedRequest[]): Promise<{ period: string; interventions: number }[]> {
    const perPeriod = new Map<string, number>();
    for (const row of imported) {
      const period = periodOf(new Date(row.closedAt), config.billingTimeZone);
      perPeriod.set(period, (perPeriod.get(period) ?? 0) + 1);
    }
    return (await periodsWithRun(db, [...perPeriod.keys()])).map((period) => ({ period, interventions: perPeriod.get(period)! }));
  }

  return [
    defineRoute<{ requests: ImportItem[] }>({
      method: 'post',
      path: '/v1/imports/requests',
      summary: 'Import closed interventions from the previous system (idempotent by externalId)',
      description: `At most ${MAX_IMPORT_ITEMS} items per call. Every item is validated before anything is written; an externalId already imported is skipped.`,
      roles: ['admin'],
      body: object({ requests: { type: 'array', required: true, items: { ...itemSchema, required: true }, maxItems: MAX_IMPORT_ITEMS } }),
      success: {
        status: 200,
        description: '{imported, skipped, alreadyBilled}: alreadyBilled counts, per period, the imported interventions closed in a month whose billing run has already written its statements; they are stored but not on those statements',
        schema: 'ImportResult',
      },
      errors: [400, 403, 413],
      async handler({ caller, body }) {
        const now = Date.now();
        const errors: FieldError[] = [];
        body.requests.forEach((item, index) => {
          const createdAt = Date.parse(item.createdAt);
          const closedAt = Date.parse(item.closedAt);
          if (closedAt < createdAt) errors.push({ path: `requests[${index}].closedAt`, message: 'must not be before createdAt' });
          if (closedAt > now) errors.push({ path: `requests[${index}].closedAt`, message: 'must not be in the future' });
        });
        const known = new Set(await existingClientIds(db, [...new Set(body.requests.map((r) => r.clientId))]));
        body.requests.forEach((item, index) => {
          if (!known.has(item.clientId)) errors.push({ path: `requests[${index}].clientId`, message: 'is not a known client' });
        });
        if (errors.length > 0) throw problems.invalid(errors);

        const rows: ImportedRequest[] = body.requests.map((item) => ({
          id: crypto.randomUUID(),
          externalId: item.externalId,
          clientId: item.clientId,
          site: item.site.trim(),
          summary: item.summary.trim(),
          instructions: item.instructions,
          priority: item.priority ?? 'normal',
          createdAt: item.createdAt,
          closedAt: item.closedAt,
        }));
        const importedIds = new Set(await importClosedRequests(db, rows, { id: caller.id, role: caller.role }, new Date(now)));
        return { imported: importedIds.size, skipped: rows.length - importedIds.size, alreadyBilled: await alreadyBilled(rows.filter((row) => importedIds.has(row.id))) };
      },
    }),
  ];
}
