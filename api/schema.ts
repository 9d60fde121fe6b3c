/**
 * A small schema language for request bodies and query strings. One schema serves twice: it validates
 * input (answering 400 with every problem and its path) and it is rendered into the OpenAPI document,
 * so the document cannot drift from what the code accepts.
 */
import { problems, FieldError } from './problem';

export type FieldSchema =
  | { type: 'string'; required?: boolean; enum?: readonly string[]; maxLength?: number; format?: 'date-time' | 'email' | 'period'; description?: string }
  | { type: 'integer'; required?: boolean; minimum?: number; maximum?: number; description?: string }
  | { type: 'decimal'; required?: boolean; description?: string }
  | { type: 'array'; required?: boolean; items: FieldSchema; maxItems: number; description?: string }
  | { type: 'object'; required?: boolean; properties: Record<string, FieldSchema>; description?: string };

export type ObjectSchema = Extract<FieldSchema, { type: 'object' }>;

export const object = (properties: Record<string, FieldSchema>, extra: Partial<ObjectSchema> = {}): ObjectSchema => ({ type: 'object', properties, ...extra });

const DEFAULT_MAX_LENGTH = 2000;
// NUL cannot be stored in PostgreSQL text, and a lone surrogate is not text: both are refused up front.
export const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

function check(value: unknown, schema: FieldSchema, path: string, errors: FieldError[]): void {
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return void errors.push({ path, message: 'must be a string' });
      if (NOT_TEXT.test(value)) return void errors.push({ path, message: 'must be valid Unicode text without NUL characters' });
      if (schema.required && value.trim() === '') return void errors.push({ path, message: 'is required and must not be blank' });
      if (value.length > (schema.maxLength ?? DEFAULT_MAX_LENGTH)) return void errors.push({ path, message: `must be at most ${schema.maxLength ?? DEFAULT_MAX_LENGTH} characters` });
      if (schema.enum && !schema.enum.includes(value)) return void errors.push({ path, message: `must be one of: ${schema.enum.join(', ')}` });
      if (schema.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) return void errors.push({ path, message: 'must be an RFC 3339 timestamp' });
      if (schema.format === 'email' && !EMAIL.test(value)) return void errors.push({ path, message: 'must be an e-mail address' });
      if (schema.format === 'period' && !PERIOD.test(value)) return void errors.push({ path, message: 'must be a period YYYY-MM' });
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return void errors.push({ path, message: 'must be an integer' });
      if (schema.minimum !== undefined && value < schema.minimum) return void errors.push({ path, message: `must be at least ${schema.minimum}` });
      if (schema.maximum !== undefined && value > schema.maximum) return void errors.push({ path, message: `must be at most ${schema.maximum}` });
      return;
    }
    case 'decimal': {
      const ok = (typeof value === 'number' && Number.isFinite(value) && value >= 0) || (typeof value === 'string' && /^\d{1,15}(\.\d{1,6})?$/.test(value));
      if (!ok) errors.push({ path, message: 'must be a non-negative decimal number, e.g. "150.00"' });
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return void errors.push({ path, message: 'must be an array' });
      if (value.length > schema.maxItems) return void errors.push({ path, message: `must have at most ${schema.maxItems} items` });
      value.forEach((item, i) => check(item, schema.items, `${path}[${i}]`, errors));
      return;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void errors.push({ path: path || '(body)', message: 'must be a JSON object' });
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!Object.hasOwn(schema.properties, key)) errors.push({ path: join(path, key), message: 'is not a known field' });
      }
      for (const [key, fieldSchema] of Object.entries(schema.properties)) {
        const fieldValue = record[key];
        if (fieldValue === undefined || fieldValue === null) {
          if (fieldSchema.required) errors.push({ path: join(path, key), message: 'is required' });
          continue;
        }
        check(fieldValue, fieldSchema, join(path, key), errors);
      }
    }
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Validates `value` against the schema; throws a 400 problem listing every error. */
export function parse<T>(value: unknown, schema: ObjectSchema): T {
  const errors: FieldError[] = [];
  check(value ?? {}, schema, '', errors);
  if (errors.length > 0) throw problems.invalid(errors);
  return stripNulls(value ?? {}) as T;
}

/** `null` is treated as absent for optional fields; drop it so the typed value never carries it. */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, stripNulls(v)]));
  }
  return value;
}

/** The OpenAPI 3.1 rendering of a schema. */
export function toOpenApi(schema: FieldSchema): Record<string, unknown> {
  const base = schema.description ? { description: schema.description } : {};
  switch (schema.type) {
    case 'string':
      return { ...base, type: 'string', ...(schema.enum ? { enum: schema.enum } : {}), maxLength: schema.maxLength ?? DEFAULT_MAX_LENGTH, ...(schema.format ? { format: schema.format } : {}), ...(schema.required ? { minLength: 1 } : {}) };
    case 'integer':
      return { ...base, type: 'integer', ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}), ...(schema.maximum !== undefined ? { maximum: schema.maximum } : {}) };
    case 'decimal':
      return { ...base, type: ['string', 'number'], pattern: '^\\d{1,15}(\\.\\d{1,6})?$' };
    case 'array':
      return { ...base, type: 'array', items: toOpenApi(schema.items), maxItems: schema.maxItems };
    case 'object':
      return {
        ...base,
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toOpenApi(v)])),
        required: Object.entries(schema.properties).filter(([, v]) => v.required).map(([k]) => k),
      };
  }
}
