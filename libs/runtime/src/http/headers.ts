/** Header lookup ignoring case: API Gateway lowercases names, but local callers and tests may not. */
export function getHeader(
  headers: Record<string, string | undefined> | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/** Headers with lowercase names, the form header schemas validate against. */
export function lowercaseHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[key.toLowerCase()] = value;
  }
  return out;
}

/** Merges header maps left to right; a later name replaces an earlier one regardless of case. */
export function mergeHeaders(...maps: (Record<string, string> | undefined)[]): Record<string, string> {
  const byLower = new Map<string, [string, string]>();
  for (const map of maps) {
    for (const [key, value] of Object.entries(map ?? {})) byLower.set(key.toLowerCase(), [key, value]);
  }
  return Object.fromEntries(byLower.values());
}

/**
 * Sent on every response. Set here rather than with @middy/http-security-headers, which only adds
 * X-Frame-Options and CSP to HTML responses and emits an empty Reporting-Endpoints header.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
});
