import { z } from 'zod';
import { ConfigError, defineConfig, resetConfigForTests } from '../../src/config';

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  MAX_BATCH: z.coerce.number().int().positive().default(10),
  STAGE: z.enum(['dev', 'prod']),
  STRIPE_SECRET: z.string().startsWith('sk_'),
});

describe('defineConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetConfigForTests();
  });

  it('validates and types the variables it declares, applying defaults', () => {
    const config = defineConfig(schema);
    const value = config.load({
      TABLE_NAME: 'events',
      EVENT_BUS_NAME: 'switchyard-dev-bus',
      STAGE: 'dev',
      STRIPE_SECRET: 'sk_test_1',
      UNRELATED: 'ignored',
    });
    expect(value).toEqual({
      TABLE_NAME: 'events',
      EVENT_BUS_NAME: 'switchyard-dev-bus',
      MAX_BATCH: 10,
      STAGE: 'dev',
      STRIPE_SECRET: 'sk_test_1',
    });
  });

  it('names every missing and invalid variable without printing any value', () => {
    const config = defineConfig(schema);
    let caught: unknown;
    try {
      config.load({
        TABLE_NAME: '',
        MAX_BATCH: 'lots',
        STAGE: 'staging',
        STRIPE_SECRET: 'pk_live_SECRETVALUE',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.missing).toEqual(['EVENT_BUS_NAME', 'TABLE_NAME']);
    expect(error.invalid.map((i) => i.name)).toEqual(['MAX_BATCH', 'STAGE', 'STRIPE_SECRET']);
    for (const name of ['EVENT_BUS_NAME', 'TABLE_NAME', 'MAX_BATCH', 'STAGE', 'STRIPE_SECRET']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain('pk_live_SECRETVALUE');
    expect(error.message).not.toContain('lots');
    expect(error.message).not.toContain('staging');
  });

  it('reads process.env once and memoises the result until reset', () => {
    process.env.TABLE_NAME = 'first';
    process.env.EVENT_BUS_NAME = 'bus';
    process.env.STAGE = 'dev';
    process.env.STRIPE_SECRET = 'sk_x';
    const config = defineConfig(schema);
    expect(config().TABLE_NAME).toBe('first');

    process.env.TABLE_NAME = 'second';
    expect(config().TABLE_NAME).toBe('first');

    resetConfigForTests();
    expect(config().TABLE_NAME).toBe('second');
  });

  it('throws from the memoised loader when process.env is incomplete', () => {
    delete process.env.TABLE_NAME;
    const config = defineConfig(z.object({ TABLE_NAME: z.string() }));
    expect(() => config()).toThrow(/missing: TABLE_NAME/);
  });
});
