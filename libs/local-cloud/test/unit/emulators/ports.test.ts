import { createServer } from 'node:net';
import { endpointOf, findFreePort } from '../../../src/emulators/ports';

describe('ports', () => {
  it('finds a port that can then be bound on loopback', async () => {
    const port = await findFreePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    server.close();
    expect(port).toBeGreaterThan(0);
  });

  it('formats endpoints, bracketing IPv6 hosts', () => {
    expect(endpointOf('127.0.0.1', 8000)).toBe('http://127.0.0.1:8000');
    expect(endpointOf('::1', 8000)).toBe('http://[::1]:8000');
  });
});
