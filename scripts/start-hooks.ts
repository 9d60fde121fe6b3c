import type { ApiContext } from '../api/context';
import { ensureBillingSchedule } from '../api/billing/schedule';

/** Start-up work that needs the running services: the monthly billing Schedule (B1), created or updated. */
export async function afterStart(context: ApiContext): Promise<void> {
  await ensureBillingSchedule(context.temporal, context.config);
}
