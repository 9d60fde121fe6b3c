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

/** A filing that times out is repeated as a client would: same request, same number (the filing is idempotent). */
const MAX_ATTEMPTS = 5;

export interface OpenRequestsResult {
  seconds: number;
  /** Filings that timed out (the API would have answered 503) and were repeated. */
  retries: number;
}

export async function fileOpenRequests(deps: { db: Db; temporal: Client; config: Config }, fixture: Fixture, count: number, concurrency: number, onProgress?: (done: number) => void): Promise<OpenRequestsResult> {
  const context = { ...deps, logger: silentLogger };
  const filedBy: Caller = { id: fixture.clientUser.id, role: 'client_authorizer', clientId: fixture.clientId, name: 'bench', clientIds: [] };
  const started = performance.now();
  let done = 0;
  let retries = 0;
  await runBounded(count, concurrency, async () => {
    const filing = {
      requestId: crypto.randomUUID(),
      number: await nextRequestNumber(deps.db),
      clientId: fixture.clientId,
      fields: { site: 'DC-1', summary: 'Open request', instructions: 'Waits for validation while memory is read.', priority: 'low' as const },
      filedBy,
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await fileRequest(context, filing);
        break;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        retries += 1;
      }
    }
    done += 1;
    if (done % 1000 === 0) onProgress?.(done);
  });
  return { seconds: (performance.now() - started) / 1000, retries };
}
