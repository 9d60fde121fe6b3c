import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import { createBillingActivities } from './billing';
import { createRequestActivities } from './request';

export interface ActivityDeps {
  db: Db;
  temporal: Client;
}

/** Every activity the worker runs, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRequestActivities(deps.db),
    ...createBillingActivities(deps.db, deps.temporal),
  };
}
