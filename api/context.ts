import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { Config } from '../runtime/config';
import type { Logger } from '../runtime/logger';

/** What every route needs: handed in at start-up, never imported as globals. */
export interface ApiContext {
  db: Db;
  temporal: Client;
  config: Config;
  logger: Logger;
}
