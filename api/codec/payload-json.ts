/**
 * Temporal's remote codec protocol carries payloads as protobuf JSON: `{payloads: [{metadata: {k: base64},
 * data: base64}]}`. Reading validates every field (a 400 names the bad one); writing is the inverse.
 */
import type { Payload } from '@temporalio/common';
import { problems, type FieldError } from '../problem';

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

// Standard and URL-safe alphabets: protobuf JSON readers accept both.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const MAX_PAYLOADS = 10_000;

export function readPayloads(body: unknown): Payload[] {
  const errors: FieldError[] = [];
  const list = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).payloads : undefined;
  if (!Array.isArray(list)) throw problems.invalid([{ path: 'payloads', message: 'must be an array of payloads' }]);
  if (list.length > MAX_PAYLOADS) throw problems.invalid([{ path: 'payloads', message: `must have at most ${MAX_PAYLOADS} items` }]);
  const payloads = list.map((item: unknown, i): Payload => {
    const path = `payloads[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ path, message: 'must be a JSON object' });
      return {};
    }
    const { metadata, data } = item as Record<string, unknown>;
    const entries: [string, Uint8Array][] = [];
    if (metadata !== undefined && metadata !== null) {
      if (typeof metadata !== 'object' || Array.isArray(metadata)) errors.push({ path: `${path}.metadata`, message: 'must be an object of base64 strings' });
      else {
        for (const [key, value] of Object.entries(metadata)) {
          if (typeof value !== 'string' || !BASE64.test(value)) errors.push({ path: `${path}.metadata.${key}`, message: 'must be a base64 string' });
          else entries.push([key, fromBase64(value)]);
        }
      }
    }
    // fromEntries defines own properties: a `__proto__` key cannot change the object's prototype.
    const payload: Payload = { metadata: Object.fromEntries(entries) };
    if (data !== undefined && data !== null) {
      if (typeof data !== 'string' || !BASE64.test(data)) errors.push({ path: `${path}.data`, message: 'must be a base64 string' });
      else payload.data = fromBase64(data);
    }
    return payload;
  });
  if (errors.length > 0) throw problems.invalid(errors);
  return payloads;
}

export function writePayloads(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, toBase64(value)])),
      data: toBase64(payload.data ?? new Uint8Array()),
    })),
  };
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64'));
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
