import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmPayloadCodec, CodecKeyError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../runtime/codec';
import { ConfigError, loadConfig, parseCodecKeys } from '../../runtime/config';

const newKey = () => crypto.randomBytes(32).toString('base64');
const codecFrom = (raw: string) => new AesGcmPayloadCodec(parseCodecKeys(raw)!);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

const SECRET = 'door code 4711, iDRAC root / hunter2';
const clearPayload = (): Payload => defaultPayloadConverter.toPayload({ instructions: SECRET });

describe('payload codec (AES-256-GCM)', () => {
  it('round trip: encode hides the payload, decode gives back the same payload', async () => {
    const codec = codecFrom(`k1:${newKey()}`);
    const original = clearPayload();
    const [encrypted] = await codec.encode([original]);
    assert.equal(text(encrypted.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encrypted.metadata?.[KEY_ID_METADATA]), 'k1');
    assert.ok(!Buffer.from(encrypted.data!).includes(Buffer.from('hunter2')), 'the secret shows through the encrypted bytes');
    assert.ok(!Object.values(encrypted.metadata ?? {}).some((v) => text(v).includes('json')), 'the inner encoding leaks into metadata');
    const [decoded] = await codec.decode([encrypted]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { instructions: SECRET });
    assert.equal(text(decoded.metadata?.encoding), 'json/plain');
  });

  it('uses a fresh IV each time: the same payload never encrypts to the same bytes', async () => {
    const codec = codecFrom(`k1:${newKey()}`);
    const [a, b] = await codec.encode([clearPayload(), clearPayload()]);
    assert.notDeepEqual(Buffer.from(a.data!), Buffer.from(b.data!));
  });

  it('refuses a tampered payload (one flipped bit)', async () => {
    const codec = codecFrom(`k1:${newKey()}`);
    const [encrypted] = await codec.encode([clearPayload()]);
    const data = Buffer.from(encrypted.data!);
    data[data.length - 20] ^= 0x01;
    await assert.rejects(codec.decode([{ ...encrypted, data }]), (e: unknown) => e instanceof CodecKeyError && /failed authentication/.test(e.message));
  });

  it('refuses a payload relabelled with another configured key id', async () => {
    const codec = codecFrom(`k1:${newKey()},k2:${newKey()}`);
    const [encrypted] = await codec.encode([clearPayload()]);
    const relabelled = { ...encrypted, metadata: { ...encrypted.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await assert.rejects(codec.decode([relabelled]), CodecKeyError);
  });

  it('rotation: a payload encrypted with the old key still decodes once a new key is put first, and new payloads use the new key', async () => {
    const oldKey = newKey();
    const beforeRotation = codecFrom(`2024-01:${oldKey}`);
    const [old] = await beforeRotation.encode([clearPayload()]);

    const afterRotation = codecFrom(`2025-06:${newKey()},2024-01:${oldKey}`);
    const [decoded] = await afterRotation.decode([old]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { instructions: SECRET });
    const [fresh] = await afterRotation.encode([clearPayload()]);
    assert.equal(text(fresh.metadata?.[KEY_ID_METADATA]), '2025-06');
  });

  it('names the key id when a payload was encrypted with a key that is not configured', async () => {
    const [encrypted] = await codecFrom(`retired:${newKey()}`).encode([clearPayload()]);
    await assert.rejects(codecFrom(`current:${newKey()}`).decode([encrypted]), (e: unknown) => e instanceof CodecKeyError && /unknown key id "retired"/.test(e.message));
  });

  it('passes unencrypted payloads through, so histories written before the key was set still read', async () => {
    const codec = codecFrom(`k1:${newKey()}`);
    const clear = clearPayload();
    const [decoded] = await codec.decode([clear]);
    assert.equal(decoded, clear);
  });
});

describe('codec configuration (RHS_CODEC_KEYS)', () => {
  it('unset: no codec', () => {
    assert.equal(loadConfig({}).temporal.codec, undefined);
  });

  it('the first key is the active one; the others are kept to decrypt', () => {
    const config = loadConfig({ RHS_CODEC_KEYS: `new:${newKey()}, old:${newKey()}` });
    assert.equal(config.temporal.codec?.activeKeyId, 'new');
    assert.deepEqual([...config.temporal.codec!.keys.keys()], ['new', 'old']);
  });

  for (const [label, value] of [
    ['a 16-byte key', `k1:${crypto.randomBytes(16).toString('base64')}`],
    ['no id', newKey()],
    ['a duplicate id', `k1:${newKey()},k1:${newKey()}`],
    ['a key that is not base64', 'k1:not*base64'],
    ['an id with spaces', `my key:${newKey()}`],
  ] as const) {
    it(`refuses ${label} with a message that does not echo the secret`, () => {
      assert.throws(() => loadConfig({ RHS_CODEC_KEYS: value }), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /RHS_CODEC_KEYS is not/);
        assert.ok(!e.message.includes(value), 'the key material appears in the error message');
        return true;
      });
    });
  }

  it('reads the Temporal UI origins for the codec endpoint, with the dev UI as default', () => {
    assert.deepEqual(loadConfig({}).api.codecCorsOrigins, ['http://127.0.0.1:8233', 'http://localhost:8233']);
    assert.deepEqual(loadConfig({ RHS_DEV_UI_PORT: '18233' }).api.codecCorsOrigins, ['http://127.0.0.1:18233', 'http://localhost:18233']);
    assert.deepEqual(loadConfig({ RHS_CODEC_CORS_ORIGIN: 'https://temporal.example.com/' }).api.codecCorsOrigins, ['https://temporal.example.com']);
    assert.throws(() => loadConfig({ RHS_CODEC_CORS_ORIGIN: '*' }), ConfigError);
  });
});
