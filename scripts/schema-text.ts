/** A setting's JSON Schema, as zod renders it, in the few words a docs table gives it. */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export function typeText(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((value) => `\`${value}\``).join(', ');
  if (schema.anyOf) {
    // Context values arrive as strings: `true`/`false` and comma-separated lists say the same as their typed form.
    if (schema.anyOf.some((option) => option.type === 'boolean')) return 'boolean';
    if (schema.anyOf.some((option) => option.type === 'array')) return 'list';
    return schema.anyOf.map(typeText).join(', or ');
  }
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined) {
    return `integer, ${schema.minimum}–${schema.maximum}`;
  }
  if (schema.format === 'uri') return 'URL';
  if (schema.format === 'email') return 'email address';
  if (schema.pattern) return schema.pattern.startsWith('^arn:') ? 'ARN' : 'string';
  return schema.type ?? 'any';
}

export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}
