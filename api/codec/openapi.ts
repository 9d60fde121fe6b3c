/** The codec endpoint in the served OpenAPI document (it is mounted outside the RouteSpec list). */
import { CODEC_ROLES } from './routes';

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: PROBLEM } } });

const PAYLOADS = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        description: 'A Temporal Payload in protobuf JSON',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string', contentEncoding: 'base64' } },
          data: { type: 'string', contentEncoding: 'base64' },
        },
      },
    },
  },
};

function operation(action: 'encode' | 'decode', summary: string, description: string) {
  return {
    post: {
      summary,
      description,
      'x-roles': CODEC_ROLES,
      parameters: [{ name: 'X-Namespace', in: 'header', required: false, description: 'the Temporal namespace; must be the one this service uses', schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'application/json': { schema: PAYLOADS } } },
      responses: {
        200: { description: `the payloads, ${action}d, in the same order`, content: { 'application/json': { schema: PAYLOADS } } },
        400: problem(action === 'decode' ? 'malformed payloads, another namespace, or a payload that fails authentication or names an unknown key id' : 'malformed payloads, or another namespace'),
        401: problem('no or bad token (Bearer header, or the sign-in cookie of /codec/session)'),
        403: problem('role not allowed'),
        413: problem('body too large'),
        429: problem('rate limit per token exceeded'),
      },
    },
    options: { summary: 'CORS preflight for the Temporal UI origins (RHS_CODEC_CORS_ORIGIN)', security: [], responses: { 204: { description: 'allowed methods and headers' } } },
  };
}

const SESSION = {
  get: { summary: 'A sign-in page: staff submit their token once so the Temporal UI can decode with a cookie', security: [], responses: { 200: { description: 'an HTML form', content: { 'text/html': {} } } } },
  post: {
    summary: 'Sign in for decoding in the Temporal UI: sets an HttpOnly cookie (Path=/codec, SameSite=Strict, 8 hours)',
    description: 'The UI sends the cookie when its codec setting "Include cross-origin credentials" is on. Each decode checks the token again, so a revoked user is refused at once.',
    security: [],
    'x-roles': CODEC_ROLES,
    requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } } } } },
    responses: { 200: { description: 'signed in (HTML)', content: { 'text/html': {} } }, 401: problem('unknown or revoked token'), 403: problem('role not allowed'), 429: problem('rate limit exceeded') },
  },
};

export function codecOpenApiPaths(): Record<string, Record<string, unknown>> {
  return {
    '/codec/session': SESSION,
    '/codec/encode': operation('encode', 'Temporal remote codec: encrypt payloads', 'Encrypts payloads with the active RHS_CODEC_KEYS key (AES-256-GCM); without keys, returns them unchanged.'),
    '/codec/decode': operation('decode', 'Temporal remote codec: decrypt payloads for the Temporal UI', 'Decrypts payloads whose encoding is binary/encrypted with the key named by their encryption-key-id; other payloads are returned unchanged. Shows request instructions in clear: staff only.'),
  };
}
