import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import type { ApiContext } from './context';

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 unless RHS_API_HOST says otherwise; close() waits for calls in flight. */
export function startApi(context: ApiContext, port: number, host = process.env.RHS_API_HOST ?? '127.0.0.1'): Promise<RunningApi> {
  const server = http.createServer(createApp(context));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
