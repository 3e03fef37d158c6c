import { auditExpiresAtEpoch } from '../../src/adapters/audit-store';

describe('audit record retention', () => {
  it('lets the table delete a record 400 days after it started, in epoch seconds', () => {
    const startedAt = '2025-03-14T11:00:00.000Z';
    const expires = auditExpiresAtEpoch(startedAt, 400);
    expect(expires).toBe(Date.parse('2026-04-18T11:00:00.000Z') / 1000);
    expect(Number.isInteger(expires)).toBe(true);
  });
});
