import { cooldownRemaining, decideEntitlement, freePlan, usagePeriod } from '../../../src/domain/gates';

const now = new Date('2026-03-15T12:00:00.000Z');

describe('gates', () => {
  it('admits a free-plan tenant under its allowance, in the calendar month', () => {
    expect(decideEntitlement(freePlan(), 99, now)).toEqual({ ok: true, period: '2026-03' });
  });

  it('refuses an inactive tenant and a used-up quota', () => {
    expect(decideEntitlement({ ...freePlan(), entitled: false }, 0, now)).toEqual({
      ok: false,
      reason: 'inactive',
    });
    expect(decideEntitlement({ ...freePlan(), agentQueriesPerMonth: 3 }, 3, now)).toEqual({
      ok: false,
      reason: 'quota_exceeded',
      limit: 3,
    });
  });

  it('counts in the billing period once it has started', () => {
    const e = { ...freePlan(), periodStart: '2026-03-10T08:00:00.000Z' };
    expect(usagePeriod(e, now)).toBe('2026-03-10');
    expect(usagePeriod({ ...e, periodStart: '2026-04-10T08:00:00.000Z' }, now)).toBe('2026-03');
  });

  it('computes the seconds left of a cooldown, rounded up', () => {
    const t = now.getTime();
    expect(cooldownRemaining(undefined, 5, t)).toBe(0);
    expect(cooldownRemaining(t - 1_200, 5, t)).toBe(4);
    expect(cooldownRemaining(t - 5_000, 5, t)).toBe(0);
  });
});
