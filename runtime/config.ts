/**
 * The one place configuration is read and validated. Every process (worker, API, `npm start`) calls
 * `loadConfig()` once at start-up; a bad value stops the process with one message listing every problem.
 */
import path from 'node:path';
import type { Priority } from '../domain/request-types';
import type { SilencePolicy, TimingPolicy } from '../domain/request-lifecycle';
import { isValidTimeZone } from '../domain/periods';
import { parseDuration } from './duration';

export interface TemporalConfig {
  /** Unset: `npm start` runs the dev server and the processes use its address. */
  address?: string;
  namespace: string;
  taskQueue: string;
  tls?: { clientCertPath?: string; clientKeyPath?: string; serverRootCaPath?: string; serverName?: string };
  apiKey?: string;
  /** RHS_HISTORY_EVENT_LIMIT: history length after which a request workflow continues as new (unset: the workflow's default). */
  historyEventLimit?: number;
  /** RHS_CODEC_KEYS: encrypts workflow and activity payloads (unset: payloads go to Temporal in clear). */
  codec?: CodecConfig;
}

export interface Config {
  port: number;
  adminToken?: string;
  dataDir: string;
  /** Unset: `npm start` runs an embedded PostgreSQL (PGlite) under dataDir. */
  databaseUrl?: string;
  temporal: TemporalConfig;
  billingTimeZone: string;
  timing: TimingPolicy;
  api: {
    /** RHS_API_HOST: the address the API listens on. */
    host: string;
    bodyLimitBytes: number;
    importBodyLimitBytes: number;
    requestTimeoutMs: number;
    rateLimitPerMinute: number;
    /** RHS_CODEC_CORS_ORIGIN: the Temporal UI origins allowed to call the codec endpoint. */
    codecCorsOrigins?: string[];
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Ports of the dev server `npm start` runs when TEMPORAL_ADDRESS is unset. */
  devServer: { port: number; uiPort: number };
}

export interface CodecConfig {
  /** Encrypts new payloads: the first key of RHS_CODEC_KEYS. */
  activeKeyId: string;
  /** Every configured key by id (the active one and the older ones kept to decrypt old histories). */
  keys: Map<string, Buffer>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_VALIDATION_SLA = 'urgent=1h,high=4h,normal=1d,low=3d';
const DEFAULT_EXECUTION_SLA = 'urgent=4h,high=1d,normal=3d,low=7d';
/** The dev server's Temporal UI, under both names a browser may use for it. */
export function devUiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | undefined, expected: string, secret = false): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = parse(raw.trim());
    if (value === undefined) {
      // A secret's value never reaches the terminal or a log, even when it is wrong.
      problems.push(secret ? `${name} is not ${expected}` : `${name}=${JSON.stringify(raw)} is not ${expected}`);
      return fallback;
    }
    return value;
  };
  const optional = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  const port = read('PORT', 3000, parsePort, 'a TCP port (0-65535)');
  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const billingTimeZone = read('RHS_BILLING_TIMEZONE', 'UTC', (raw) => (isValidTimeZone(raw) ? raw : undefined), 'an IANA time zone');

  const timing: TimingPolicy = {
    validationSlaMs: read('RHS_VALIDATION_SLA', parsePrioritySla(DEFAULT_VALIDATION_SLA)!, parsePrioritySla, 'priority=duration pairs for low, normal, high and urgent'),
    executionSlaMs: read('RHS_EXECUTION_SLA', parsePrioritySla(DEFAULT_EXECUTION_SLA)!, parsePrioritySla, 'priority=duration pairs for low, normal, high and urgent'),
    reminderEveryMs: read('RHS_REMINDER_EVERY', 24 * 3600_000, parsePositiveDuration, 'a duration such as 30s, 15m, 4h or 2d'),
    silenceAfterMs: read('RHS_SILENCE_AFTER', 7 * 24 * 3600_000, parsePositiveDuration, 'a duration such as 30s, 15m, 4h or 2d'),
    silencePolicy: {
      correction: read<SilencePolicy['correction']>('RHS_SILENCE_POLICY_CORRECTION', 'cancel', oneOf(['cancel', 'remind_only']), 'cancel or remind_only'),
      confirmation: read<SilencePolicy['confirmation']>('RHS_SILENCE_POLICY_CONFIRMATION', 'close_tacit', oneOf(['close_tacit', 'cancel', 'remind_only']), 'close_tacit, cancel or remind_only'),
    },
  };

  const tlsCert = optional('TEMPORAL_TLS_CERT');
  const tlsKey = optional('TEMPORAL_TLS_KEY');
  if (Boolean(tlsCert) !== Boolean(tlsKey)) problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together');
  const tlsCa = optional('TEMPORAL_TLS_CA');
  const tlsServerName = optional('TEMPORAL_TLS_SERVER_NAME');
  const wantsTls = Boolean(tlsCert || tlsCa || tlsServerName) || env.TEMPORAL_TLS === 'true';

  const codec = read<CodecConfig | undefined>('RHS_CODEC_KEYS', undefined, parseCodecKeys, 'comma-separated id:base64key pairs with distinct ids and 32-byte keys', true);
  const devServer = {
    port: read('RHS_DEV_TEMPORAL_PORT', 7233, parsePort, 'a TCP port'),
    uiPort: read('RHS_DEV_UI_PORT', 8233, parsePort, 'a TCP port'),
  };
  const codecCorsOrigins = read('RHS_CODEC_CORS_ORIGIN', devUiOrigins(devServer.uiPort), parseOrigins, 'comma-separated origins such as http://localhost:8233');

  const config: Config = {
    port,
    // Checked here: a token the API's Bearer check cannot accept would never log in, with no error.
    adminToken: read<string | undefined>('RHS_ADMIN_TOKEN', undefined, parseAdminToken, '16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = -', true),
    dataDir: path.resolve(optional('RHS_DATA_DIR') ?? './data'),
    databaseUrl,
    temporal: {
      address: optional('TEMPORAL_ADDRESS'),
      namespace: optional('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: optional('TEMPORAL_TASK_QUEUE') ?? 'remote-hands',
      tls: wantsTls ? { clientCertPath: tlsCert, clientKeyPath: tlsKey, serverRootCaPath: tlsCa, serverName: tlsServerName } : undefined,
      apiKey: optional('TEMPORAL_API_KEY'),
      historyEventLimit: read<number | undefined>('RHS_HISTORY_EVENT_LIMIT', undefined, parsePositiveInt, 'a positive number of history events'),
      codec,
    },
    billingTimeZone,
    timing,
    api: {
      host: optional('RHS_API_HOST') ?? '127.0.0.1',
      bodyLimitBytes: read('RHS_BODY_LIMIT_BYTES', 64 * 1024, parsePositiveInt, 'a positive number of bytes'),
      // An import carries up to 5,000 closed requests in one body.
      importBodyLimitBytes: read('RHS_IMPORT_BODY_LIMIT_BYTES', 16 * 1024 * 1024, parsePositiveInt, 'a positive number of bytes'),
      requestTimeoutMs: read('RHS_API_TIMEOUT_MS', 15_000, parsePositiveInt, 'a positive number of milliseconds'),
      rateLimitPerMinute: read('RHS_RATE_LIMIT_PER_MINUTE', 600, parsePositiveInt, 'a positive number of calls'),
      codecCorsOrigins,
    },
    devServer,
    logLevel: read('RHS_LOG_LEVEL', 'info' as Config['logLevel'], oneOf(['debug', 'info', 'warn', 'error']), 'debug, info, warn or error'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * `new-id:base64key,old-id:base64key`: the first key encrypts, the others only decrypt (rotation).
 * The problem message never echoes the value: it is a secret.
 */
export function parseCodecKeys(raw: string): CodecConfig | undefined {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;
  for (const entry of raw.split(',')) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    if (separator < 0 || !/^[\w.-]{1,64}$/.test(id) || keys.has(id) || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) return undefined;
    keys.set(id, key);
    activeKeyId ??= id;
  }
  return activeKeyId ? { activeKeyId, keys } : undefined;
}

function parseOrigins(raw: string): string[] | undefined {
  const origins = raw.split(',').map((o) => o.trim().replace(/\/$/, ''));
  return origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)) ? origins : undefined;
}

function parsePort(raw: string): number | undefined {
  const n = parsePositiveInt(raw) ?? (raw === '0' ? 0 : undefined);
  return n !== undefined && n <= 65535 ? n : undefined;
}

function parsePositiveInt(raw: string): number | undefined {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : undefined;
}

function parsePositiveDuration(raw: string): number | undefined {
  const ms = parseDuration(raw);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function oneOf<T extends string>(allowed: readonly T[]) {
  return (raw: string): T | undefined => (allowed as readonly string[]).includes(raw) ? (raw as T) : undefined;
}

/** `urgent=1h,high=4h,normal=1d,low=3d`: every priority must be named once. */
export function parsePrioritySla(raw: string): Record<Priority, number> | undefined {
  const result: Partial<Record<Priority, number>> = {};
  for (const pair of raw.split(',')) {
    const [name, value] = pair.split('=').map((s) => s.trim());
    const ms = value === undefined ? undefined : parsePositiveDuration(value);
    if (!['low', 'normal', 'high', 'urgent'].includes(name) || ms === undefined || name in result) return undefined;
    result[name as Priority] = ms;
  }
  const complete = result.low && result.normal && result.high && result.urgent;
  return complete ? (result as Record<Priority, number>) : undefined;
}

/** The bootstrap admin token: a Bearer token (RFC 6750 characters), long enough not to be guessed. */
function parseAdminToken(raw: string): string | undefined {
  return /^[A-Za-z0-9._~+/=-]{16,512}$/.test(raw) ? raw : undefined;
}
