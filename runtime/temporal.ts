/**
 * Connections to Temporal built from configuration: the same code reaches the dev server, a
 * self-hosted cluster (mTLS) or Temporal Cloud (API key).
 */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { NativeConnection } from '@temporalio/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { payloadCodecsFor } from './codec';
import type { TemporalConfig } from './config';

export const DEV_SERVER_ADDRESS = '127.0.0.1:7233';

function tlsOptions(config: TemporalConfig): TLSConfig | boolean | undefined {
  if (!config.tls) return config.apiKey ? true : undefined;
  const { clientCertPath, clientKeyPath, serverRootCaPath, serverName } = config.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: serverRootCaPath ? fs.readFileSync(serverRootCaPath) : undefined,
    clientCertPair: clientCertPath && clientKeyPath
      ? { crt: fs.readFileSync(clientCertPath), key: fs.readFileSync(clientKeyPath) }
      : undefined,
  };
}

export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({
    address: config.address ?? DEV_SERVER_ADDRESS,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
    connectTimeout: '5s',
  });
  // With RHS_CODEC_KEYS set every payload is encrypted before it reaches Temporal (runtime/codec.ts).
  return new Client({ connection, namespace: config.namespace, dataConverter: { payloadCodecs: payloadCodecsFor(config.codec) } });
}

export async function connectWorkerConnection(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: config.address ?? DEV_SERVER_ADDRESS,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  });
}

/**
 * Registers the custom search attributes operators filter on in the Temporal UI. Idempotent: the ones
 * already there are left alone. (Temporal Cloud namespaces manage them in the Cloud console instead.)
 */
export async function ensureSearchAttributes(client: Client): Promise<void> {
  const { operatorService } = client.connection;
  const existing = await operatorService.listSearchAttributes({ namespace: client.options.namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  await operatorService.addSearchAttributes({
    namespace: client.options.namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, 2 /* INDEXED_VALUE_TYPE_KEYWORD */])),
  });
}
