/**
 * Checks a JSON value against a schema of the served OpenAPI document (the subset it uses: $ref,
 * allOf, object/array/primitive types, nullable type lists, enum, required, additionalProperties).
 * Returns the problems as `path: message`; empty when the value conforms.
 */
type Schema = Record<string, unknown>;

export function conformance(document: { components: { schemas: Record<string, Schema> } }, schema: Schema, value: unknown, path = '$'): string[] {
  const resolve = (s: Schema): Schema => (typeof s.$ref === 'string' ? resolve(document.components.schemas[s.$ref.split('/').pop()!]) : s);
  const check = (raw: Schema, v: unknown, at: string): string[] => {
    const s = resolve(raw);
    if (Array.isArray(s.allOf)) {
      const parts = (s.allOf as Schema[]).map(resolve);
      const merged: Schema = { type: 'object', properties: Object.assign({}, ...parts.map((p) => p.properties)), required: parts.flatMap((p) => (p.required as string[]) ?? []) };
      return check(merged, v, at);
    }
    const problems: string[] = [];
    if (Array.isArray(s.enum) && !s.enum.includes(v)) problems.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    const types = s.type === undefined ? [] : Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (types.length > 0 && !types.some((t) => matches(t, v))) return [...problems, `${at}: ${JSON.stringify(v)} is not ${types.join(' or ')}`];
    if (isObject(v) && (types.includes('object') || s.properties)) {
      const properties = (s.properties ?? {}) as Record<string, Schema>;
      for (const key of (s.required as string[]) ?? []) if (!(key in v)) problems.push(`${at}.${key}: is required by the document`);
      for (const [key, item] of Object.entries(v)) {
        if (properties[key]) problems.push(...check(properties[key], item, `${at}.${key}`));
        else if (s.additionalProperties !== true) problems.push(`${at}.${key}: is not in the document`);
      }
    }
    if (Array.isArray(v) && s.items) v.forEach((item, i) => problems.push(...check(s.items as Schema, item, `${at}[${i}]`)));
    return problems;
  };
  return check(schema, value, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matches(type: string, v: unknown): boolean {
  switch (type) {
    case 'null': return v === null;
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return isObject(v);
    default: return true;
  }
}
