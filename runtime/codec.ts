/**
 * Encrypts every workflow and activity payload before it leaves the process, so Temporal's database and
 * UI never hold request instructions (which may carry access details for client equipment) in clear.
 *
 * AES-256-GCM, a fresh random 12-byte IV per payload; the key id travels in the payload metadata so keys
 * can rotate: the active key encrypts, every configured key decrypts.
 */
import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecConfig } from './config';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = temporal.api.common.v1.Payload;

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly config: CodecConfig) {
    if (!config.keys.has(config.activeKeyId)) throw new CodecKeyError(`the active codec key "${config.activeKeyId}" is not among the keys`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.config.activeKeyId;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.config.keys.get(keyId)!, iv);
    // The key id is authenticated too: a payload relabelled with another id fails to decrypt.
    cipher.setAAD(Buffer.from(keyId, 'utf8'));
    const clear = ProtoPayload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(clear), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
      data: new Uint8Array(sealed),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString('utf8') : '';
    const key = this.config.keys.get(keyId);
    if (!key) throw new CodecKeyError(`payload encrypted with unknown key id "${keyId}": add that key to RHS_CODEC_KEYS to read it`);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError(`encrypted payload (key id "${keyId}") is too short to be valid`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let clear: Buffer;
    try {
      clear = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecKeyError(`encrypted payload (key id "${keyId}") failed authentication: it was altered, or the key with that id is not the one that encrypted it`);
    }
    return ProtoPayload.decode(clear);
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** The data converter for clients and workers: encryption when keys are configured, Temporal's default otherwise. */
export function payloadCodecsFor(codec: CodecConfig | undefined): PayloadCodec[] {
  return codec ? [new AesGcmPayloadCodec(codec)] : [];
}
