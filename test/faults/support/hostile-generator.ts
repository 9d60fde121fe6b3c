/**
 * Hostile calls, generated deterministically (seeded PRNG) from the API's own OpenAPI document, so a
 * route added later is attacked without anyone writing a case for it. Every generated call is meant
 * to be refused: a case that could succeed (a valid creation) is always combined with a mutation that
 * makes it invalid, so "nothing created" is a fair check.
 */
export interface OpenApiOperation {
  path: string;
  method: string;
  roles: string[];
  pathParams: string[];
  queryParams: Record<string, JsonSchema>;
  body?: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: string[];
  maxLength?: number;
  format?: string;
  minimum?: number;
  maximum?: number;
}

export interface HostileCall {
  operation: string;
  kind: string;
  method: string;
  path: string;
  role: string;
  headers: Record<string, string>;
  rawBody?: string | Uint8Array;
}

/** mulberry32: small, fast and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function operationsOf(doc: { paths: Record<string, Record<string, any>> }): OpenApiOperation[] { // any: OpenAPI operation objects
  const operations: OpenApiOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as Array<{ name: string; in: string; schema: JsonSchema }>;
      operations.push({
        path,
        method: method.toUpperCase(),
        roles: (op['x-roles'] as string[] | undefined) ?? [],
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        body: op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined,
      });
    }
  }
  return operations;
}

/** Strings that break naive code: invalid Unicode, control characters, direction overrides, huge graphemes. */
const HOSTILE_TEXT = [
  '\ud800', '\udfff', 'a\u0000b', '\u202e\u202dgnp.exe', '\u200b\u200c\u200d\ufeff', 'Z\u0351\u0352\u0353\u0354\u0355'.repeat(50),
  '👩‍👩‍👧‍👦'.repeat(300), '\u0085\u2028\u2029', "'; drop table requests; --", '{{7*7}}${7*7}<script>alert(1)</script>',
  '../../../../etc/passwd', '%00%ff%c0%af', 'ﷺ'.repeat(3000), '\r\nX-Injected: 1', 'null', '',
];
const WRONG_VALUES: unknown[] = [42, -1, 1e308, true, false, [], ['x'], {}, { $gt: '' }, 'x'.repeat(100), 0.5];
/** Raw bodies that are not JSON, or not text at all. */
const MALFORMED_BODIES: Array<string | Uint8Array> = [
  '{', '{"a":', '[1,2', 'nul', '{"a":1,}', "{'a':1}", '{"a":01}', '{"a":NaN}', '{"a":"\\x41"}', '{"a":"\\ud800"}', '\ufeff{}', '',
  '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}', '"just a string"', '123', 'null', '[]', 'true',
  new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), new Uint8Array([0xc0, 0xaf, 0xe0, 0x80, 0xaf]),
  new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00]),
];
const PATH_VALUES = [
  '%', '%zz', '%E0%A4%A', '%ff', '%00', '..%2F..%2Fetc%2Fpasswd', '__proto__', 'constructor', "'%20OR%201=1--", 'x'.repeat(5000),
  encodeURIComponent('\u202eevil'), encodeURIComponent('👩‍👩‍👧‍👦'), '00000000-0000-0000-0000-000000000000', 'RHS-999999', '2025-13', '0000-00', '2099-12',
  '-1', '1e9', 'null', 'undefined', '%2e%2e', ';', encodeURIComponent('a/b'),
];
const QUERY_VALUES = ['', '%', '%zz', '%E0%A4%A', 'x'.repeat(10_000), '%ED%A0%80', '-1', '1e3', '0', '201', 'NaN', 'notadate', '2025-02-30T00:00:00Z', '9999-99', encodeURIComponent('\u0000')];
const BAD_AUTH = ['', 'Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'a'.repeat(600)}`, 'Bearer rhs_forged', 'bearer lowercase', 'Bearer \u00ff\u00fe'];
const BAD_CONTENT_TYPES = ['text/plain', 'application/json; charset=utf-7', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1'];
const BAD_KEYS = ['', ' ', 'k'.repeat(201), 'caf\u00e9', 'a b', '\t'];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A body that passes the schema, used as the base that one mutation then breaks. */
export function validExample(schema: JsonSchema | undefined, random: () => number): unknown {
  if (!schema) return {};
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.enum) return pick(random, schema.enum);
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => (schema.required ?? []).includes(k)).map(([k, v]) => [k, validExample(v, random)]));
    case 'array':
      return [validExample(schema.items, random)];
    case 'integer':
      return schema.minimum ?? 1;
    case 'number':
      return 1;
    default:
      if (schema.format === 'date-time') return '2025-01-15T10:00:00Z';
      if (schema.format === 'email') return 'someone@example.test';
      if (schema.format === 'period') return '2025-01';
      return 'text';
  }
}

/** Breaks a valid body in one way that the schema must refuse; says which way. */
function invalidBody(schema: JsonSchema | undefined, random: () => number): { kind: string; body: unknown } {
  const base = validExample(schema, random) as Record<string, unknown>;
  const fields = Object.keys(schema?.properties ?? {});
  const required = schema?.required ?? [];
  const field = fields.length > 0 ? pick(random, fields) : undefined;
  const choice = Math.floor(random() * 6);
  if (choice === 0 && field) return { kind: 'wrong type', body: { ...base, [field]: pick(random, wrongValuesFor(schema?.properties?.[field])) } };
  if (choice === 1 && required.length > 0) {
    const { [pick(random, required)]: _dropped, ...rest } = base;
    return { kind: 'missing required field', body: { ...rest, [`${pick(random, HOSTILE_TEXT)}`]: 'x' } };
  }
  if (choice === 2 && field) {
    const max = schema?.properties?.[field]?.maxLength ?? 2000;
    return { kind: 'oversized field', body: { ...base, [field]: '€'.repeat(max + 1) } };
  }
  if (choice === 3 && field) return { kind: 'unicode-hostile field and an unknown field', body: { ...base, [field]: pick(random, HOSTILE_TEXT), ['\u202eunknown\u0000']: pick(random, HOSTILE_TEXT) } };
  if (choice === 4) return { kind: 'wrong body type', body: pick(random, [[], [base], 'text', 17, true, [[[[]]]]]) };
  return { kind: 'unknown fields', body: { ...base, __proto__x: 1, ['constructor']: { prototype: { polluted: true } }, [pick(random, HOSTILE_TEXT) || 'x']: pick(random, WRONG_VALUES) } };
}

/** Values of another JSON type than the field's, so none of them can pass (an {} for an object field might). */
function wrongValuesFor(field: JsonSchema | undefined): unknown[] {
  const types = [field?.type ?? 'string'].flat();
  const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v === 'object' ? 'object' : typeof v);
  const excluded = new Set(types.map((t) => (t === 'integer' ? 'number' : t)));
  return WRONG_VALUES.filter((v) => !excluded.has(jsonType(v)));
}

function deeplyNested(random: () => number): string {
  const depth = 1000 + Math.floor(random() * 20_000);
  return random() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(Math.min(depth, 12_000)) + '1' + '}'.repeat(Math.min(depth, 12_000));
}

/**
 * `count` hostile calls against one operation. `pathValue(name)` supplies a real value for a path
 * parameter (an existing resource in a final state), used for some calls so the handlers behind the
 * schema are reached too.
 */
export function hostileCalls(op: OpenApiOperation, count: number, random: () => number, tokens: Record<string, string>, realValue: (param: string) => string | undefined): HostileCall[] {
  const calls: HostileCall[] = [];
  const roles = op.roles.length > 0 ? op.roles : ['none'];
  for (let i = 0; i < count; i += 1) {
    const role = random() < 0.8 ? pick(random, roles) : pick(random, Object.keys(tokens));
    const headers: Record<string, string> = {};
    if (tokens[role]) headers.authorization = `Bearer ${tokens[role]}`;
    let path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (random() < 0.4 && realValue(name) ? realValue(name)! : pick(random, PATH_VALUES)));
    let kind: string;
    let rawBody: string | Uint8Array | undefined;
    const sendsBody = op.method !== 'GET' && op.method !== 'DELETE';
    const dice = random();
    if (sendsBody && dice < 0.3) {
      const broken = invalidBody(op.body, random);
      kind = `body: ${broken.kind}`;
      rawBody = JSON.stringify(broken.body);
      headers['content-type'] = 'application/json';
    } else if (sendsBody && dice < 0.45) {
      kind = 'body: malformed';
      rawBody = pick(random, MALFORMED_BODIES);
      headers['content-type'] = 'application/json';
    } else if (sendsBody && dice < 0.52) {
      kind = 'body: oversized';
      rawBody = JSON.stringify({ blob: 'x'.repeat(pick(random, [70_000, 300_000, 2_000_000])) });
      headers['content-type'] = 'application/json';
    } else if (sendsBody && dice < 0.6) {
      kind = 'body: deeply nested';
      rawBody = deeplyNested(random);
      headers['content-type'] = 'application/json';
    } else if (dice < 0.7) {
      kind = 'header: authorization';
      headers.authorization = pick(random, BAD_AUTH);
      if (sendsBody) {
        rawBody = JSON.stringify(validExample(op.body, random));
        headers['content-type'] = 'application/json';
      }
    } else if (sendsBody && dice < 0.8) {
      // An odd content type or key with a body that would be refused anyway (a missing field at least).
      const broken = invalidBody(op.body, random);
      const header = random() < 0.5 ? 'content-type' : 'idempotency-key';
      kind = `header: ${header}`;
      rawBody = JSON.stringify(broken.body);
      headers['content-type'] = header === 'content-type' ? pick(random, BAD_CONTENT_TYPES) : 'application/json';
      if (header === 'idempotency-key') headers['idempotency-key'] = pick(random, BAD_KEYS);
    } else {
      kind = 'query string';
      const names = [...Object.keys(op.queryParams), '__proto__', 'unknown\u00e9'.normalize(), 'limit'];
      const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${encodeURIComponent(pick(random, names))}=${pick(random, QUERY_VALUES)}`);
      if (random() < 0.3) parts.push(parts[0]); // the same parameter twice
      path += `?${parts.join('&')}`;
      if (sendsBody) {
        rawBody = JSON.stringify(invalidBody(op.body, random).body);
        headers['content-type'] = 'application/json';
      }
    }
    if (random() < 0.05) headers['x-request-id'] = pick(random, ['\u00ff'.repeat(200), '../..', 'x'.repeat(5000)]);
    calls.push({ operation: `${op.method} ${op.path}`, kind, method: op.method, path, role, headers, rawBody });
  }
  return calls;
}
