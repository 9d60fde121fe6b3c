import type { ApiContext } from '../context';
import type { RouteSpec } from '../route';

/** Monthly billing (api.md, "Monthly billing"): filled in by the billing issue. */
export function billingRoutes(_context: ApiContext): RouteSpec[] {
  return [];
}
