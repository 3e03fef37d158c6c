/**
 * How large an EventBridge PutEvents entry is, counted the way EventBridge counts it against its
 * limit (AWS's "Calculating PutEvents event entry size"): 14 bytes when `Time` is set, plus the
 * UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`. Here because every
 * side needs the same answer: the runtime's `publish` refuses an entry too large before sending
 * it, ingest decides when a payload travels by claim check, and the local cloud's bus enforces
 * the limit as AWS does.
 */

/** EventBridge's limit on one entry, and on one PutEvents request. */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 256 * 1024;

/** The fields of a PutEvents entry that count (the SDK's and the local bus's entries fit). */
export interface EventBridgeEntryParts {
  Source?: string;
  DetailType?: string;
  /** The Detail string exactly as sent. */
  Detail?: string;
  Resources?: readonly string[];
  /** Counted as 14 bytes whenever it is set, whatever its value. */
  Time?: unknown;
}

export function eventBridgeEntrySize(entry: EventBridgeEntryParts): number {
  const utf8 = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  let size = entry.Time === undefined ? 0 : 14;
  size += utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail);
  for (const resource of entry.Resources ?? []) size += utf8(resource);
  return size;
}
