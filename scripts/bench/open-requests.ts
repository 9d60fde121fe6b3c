/**
 * Many requests left open (IN_VALIDATION, each workflow waiting on its SLA timer), to read the worker's
 * memory. Filed from here with the API's own filing function (update-with-start, then the worker
 * projects the filing to the database): the same workflow and worker work as `POST /v1/requests`,
 * without HTTP, which would only make this setup slower.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { fileRequest } from '../../api/request/temporal';
import type { Caller } from '../../api/auth';
import type { Db } from '../../db/connection';
import { nextRequestNumber } from '../../db/requests';
import type { Config } from '../../runtime/config';
import { silentLogger } from '../../runtime/logger';
import type { Fixture } from './api-client';
import { runBounded } from './pool';

export async function fileOpenRequests(deps: { db: Db; temporal: Client; config: Config }, fixture: Fixture, count: number, concurrency: number, onProgress?: (done: number) => void): Promise<number> {
  const context = { ...deps, logger: silentLogger };
  const filedBy: Caller = { id: fixture.clientUser.id, role: 'client_authorizer', clientId: fixture.clientId, name: 'bench', clientIds: [] };
  const started = performance.now();
  let done = 0;
  await runBounded(count, concurrency, async () => {
    const number = await nextRequestNumber(deps.db);
    await fileRequest(context, {
      requestId: crypto.randomUUID(),
      number,
      clientId: fixture.clientId,
      fields: { site: 'DC-1', summary: 'Open request', instructions: 'Waits for validation while memory is read.', priority: 'low' },
      filedBy,
    });
    done += 1;
    if (done % 1000 === 0) onProgress?.(done);
  });
  return (performance.now() - started) / 1000;
}
