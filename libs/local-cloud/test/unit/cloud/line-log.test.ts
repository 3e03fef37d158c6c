import { createLineLog } from '../../../src/line-log';

describe('createLineLog', () => {
  it('writes the lines of one turn of the event loop together, in order, each prefixed', async () => {
    const writes: string[] = [];
    const log = createLineLog('[x] ', (text) => writes.push(text));
    log('one');
    log('two');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['[x] one\n[x] two\n']);
    log('three');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['[x] one\n[x] two\n', '[x] three\n']);
  });

  it('writes what is pending at once when flushed (before the process exits)', () => {
    const writes: string[] = [];
    const log = createLineLog('', (text) => writes.push(text));
    log('last words');
    log.flush();
    expect(writes).toEqual(['last words\n']);
    log.flush();
    expect(writes).toHaveLength(1);
  });
});
