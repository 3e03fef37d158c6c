import { z } from 'zod';
import { allContracts, contractKey, messageHeaderSchema } from '../../src';
import type { Contract } from '../../src';
import { samples } from './samples';

function sampleFor(c: Contract): Record<string, unknown> {
  const sample = samples[contractKey(c)];
  if (!sample) throw new Error(`no sample for ${contractKey(c)}: add one to contracts/test/unit/samples.ts`);
  return sample;
}

function without(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}

const headerFields = Object.keys(messageHeaderSchema.shape);

describe.each(allContracts.map((c) => [contractKey(c), c] as const))('%s', (_key, contract) => {
  it('accepts a realistic message', () => {
    const result = contract.schema.safeParse(sampleFor(contract));
    expect(result.error?.issues).toBeUndefined();
    expect(result.data).toEqual(sampleFor(contract));
  });

  it('accepts the body alone through `body`', () => {
    const body = Object.fromEntries(
      Object.entries(sampleFor(contract)).filter(([k]) => !headerFields.includes(k)),
    );
    expect(contract.body.safeParse(body).success).toBe(true);
  });

  it.each(headerFields)('rejects a message without header field %s', (field) => {
    const result = contract.schema.safeParse(without(sampleFor(contract), field));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(field);
  });

  it.each([
    ['a time without offset', { time: '2025-03-14 09:26:53' }],
    ['an empty tenantId', { tenantId: '' }],
    ['an empty correlationId', { correlationId: '' }],
    ['an oversized id', { id: 'x'.repeat(129) }],
  ])('rejects a header with %s', (_case, patch) => {
    expect(contract.schema.safeParse({ ...sampleFor(contract), ...patch }).success).toBe(false);
  });

  it('rejects any other version', () => {
    for (const version of [contract.version + 1, contract.version - 1, String(contract.version)]) {
      const result = contract.schema.safeParse({ ...sampleFor(contract), version });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['version']);
    }
  });

  it('rejects a message with a required body field missing', () => {
    const required = Object.entries(contract.body.shape)
      .filter(([, schema]) => !z.safeParse(schema, undefined).success)
      .map(([k]) => k);
    expect(required.length).toBeGreaterThan(0);
    for (const field of required) {
      expect(contract.schema.safeParse(without(sampleFor(contract), field)).success).toBe(false);
    }
  });

  it('keeps unknown fields out of the parsed message (additive changes stay compatible)', () => {
    const result = contract.schema.safeParse({ ...sampleFor(contract), addedInALaterRelease: true });
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('addedInALaterRelease');
  });
});

it('has a sample for every contract and no sample for a contract that does not exist', () => {
  expect(Object.keys(samples).sort()).toEqual(allContracts.map(contractKey).sort());
});
