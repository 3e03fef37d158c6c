import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Asks the OS for a free TCP port on the loopback interface (for emulators that cannot take port 0). */
export function findFreePort(host: string = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

/** Common shape of every emulator handle. */
export interface RunningEmulator {
  /** Base URL for SDK clients, e.g. http://127.0.0.1:4566. */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on; loopback only unless you know why. */
  host?: string;
}

export function endpointOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
