import * as contracts from '../../src';
import {
  SERVICES,
  allContracts,
  assertUniqueContracts,
  busContracts,
  contractKey,
  findContract,
  queueContracts,
} from '../../src';
import type { Contract } from '../../src';

describe('registry', () => {
  it('holds each (source, detail-type, version) once', () => {
    const keys = allContracts.map(contractKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(() => assertUniqueContracts(allContracts)).not.toThrow();
  });

  it('refuses a duplicate contract', () => {
    const first = allContracts[0] as Contract;
    expect(() => assertUniqueContracts([...allContracts, { ...first }])).toThrow(/duplicate contract/);
  });

  it('refuses one detail-type on both channels', () => {
    const first = allContracts[0] as Contract;
    const other = {
      ...first,
      version: first.version + 1,
      channel: first.channel === 'bus' ? 'queue' : 'bus',
    };
    expect(() => assertUniqueContracts([first, other as Contract])).toThrow(/both the/);
  });

  it('names every source switchyard.<service> and every detail-type in PascalCase', () => {
    for (const c of allContracts) {
      expect(c.source).toBe(`switchyard.${c.service}`);
      expect(SERVICES).toContain(c.service);
      expect(c.detailType).toMatch(/^(?:[A-Z][a-z0-9]+)+$/);
      expect(c.description.length).toBeGreaterThan(10);
    }
  });

  it('splits contracts between bus and queue', () => {
    expect([...busContracts, ...queueContracts].map(contractKey).sort()).toEqual(
      allContracts.map(contractKey).sort(),
    );
    expect(busContracts.every((c) => c.channel === 'bus')).toBe(true);
    expect(queueContracts.map((c) => c.detailType)).toEqual(['DeliveryRequested']);
  });

  it('finds a contract by source and detail-type, and by version', () => {
    expect(findContract('switchyard.ingest', 'EventReceived')).toBe(contracts.EventReceived);
    expect(findContract('switchyard.ingest', 'EventReceived', 1)).toBe(contracts.EventReceived);
    expect(findContract('switchyard.ingest', 'EventReceived', 2)).toBeUndefined();
    expect(findContract('switchyard.identity', 'EventReceived')).toBeUndefined();
    expect(findContract('switchyard.ingest', 'NoSuchThing')).toBeUndefined();
  });

  it('exports every registered contract from the package', () => {
    const exported = Object.values(contracts as Record<string, unknown>);
    for (const c of allContracts) expect(exported).toContain(c);
    // Version 1 contracts are exported under their detail-type (later versions as <Name>V<n>).
    const byName = contracts as unknown as Record<string, unknown>;
    for (const c of allContracts.filter((c) => c.version === 1)) expect(byName[c.detailType]).toBe(c);
  });

  it('registers every contract the package exports', () => {
    const exportedContracts = Object.values(contracts as Record<string, unknown>).filter(
      (v): v is Contract => typeof v === 'object' && v !== null && 'detailType' in v && 'schema' in v,
    );
    expect(exportedContracts.length).toBe(allContracts.length);
    for (const c of exportedContracts) expect(allContracts).toContain(c);
  });
});
