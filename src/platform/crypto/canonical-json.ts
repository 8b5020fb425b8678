/**
 * The one text form of a JSON value that is hashed (SM3) or signed (SM2): object keys sorted by
 * UTF-16 code units at every level, no whitespace, `undefined` members dropped, `undefined` and
 * `null` alone or in arrays written as `null`, dates as their ISO text. The same content gives the
 * same text after a round trip through jsonb, which reorders keys. Audit chains and certificates
 * already stored were hashed with exactly this output: any change to it breaks their verification.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
