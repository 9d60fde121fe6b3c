import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import type { ApiContext } from './context';

export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on the configured host (127.0.0.1 by default); close() waits for calls in flight. */
export function startApi(context: ApiContext, port: number, host = context.config.api.host): Promise<RunningApi> {
  const server = http.createServer(createApp(context));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  // Requests Node's parser refuses (a URL or headers over its size limit, a malformed request line)
  // never reach express: answer them as problem+json too, instead of Node's bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const title = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    const body = JSON.stringify({ type: `https://remote-hands.example/problems/${status}`, title, status, detail: 'the request could not be read' });
    socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
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
