// e2e, crash: the local cloud (persistent data) is killed with SIGKILL, every process of it at
// once, while events are being published; it is started again on the same data, and every event
// that got a 202 before the crash must still reach the webhook (a repeat only under the same
// webhook-id). Printed, not asserted as timings: how long the restarted cloud takes to drain.
// A first attempt fanOut had claimed when it was killed is taken over when its claim's lease ends
// (60 s), so the drain can take that long: the test allows five minutes, its own wait three.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const SERVICES = ['identity', 'ingest', 'delivery'];
const EVENT_TYPE = 'crash.test';
/** Events accepted before the crash; publishing goes on (8 at a time) while the cloud is killed. */
const BEFORE_CRASH = 150;
const CONCURRENCY = 8;

/** The process and all its descendants, killed together as a power cut would. */
function killTree(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const all: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    all.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return all.length;
}

describe('a crash under load loses no accepted event', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
  let cloud: RunningLocalCloud | undefined;
  let receiver: Server;
  let receiverUrl: string;
  /** webhook-ids received per published sequence number. */
  const received = new Map<number, string[]>();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { n: number } };
        received.set(body.data.n, [...(received.get(body.data.n) ?? []), String(req.headers['webhook-id'])]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await cloud?.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(stateDir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${cloud!.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${cloud!.apiKey}`, 'content-type': 'application/json' },
    });

  /** Publishes event `n`; true when it got a 202. Waits out 429s; a refused connection is false. */
  async function publish(n: number): Promise<boolean> {
    for (;;) {
      let response: Response;
      try {
        response = await call('/events', {
          method: 'POST',
          body: JSON.stringify({ event_type: EVENT_TYPE, payload: { n } }),
        });
      } catch {
        return false;
      }
      await response.arrayBuffer();
      if (response.status === 429) {
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
        continue;
      }
      return response.status === 202;
    }
  }

  it('delivers every event accepted before the crash after a restart on the same data', async () => {
    cloud = await startLocalCloud({ services: SERVICES, persist: true, stateDir });
    const subscribed = await call('/subscriptions', {
      method: 'POST',
      body: JSON.stringify({ url: receiverUrl, event_types: [EVENT_TYPE] }),
    });
    expect(subscribed.status).toBe(201);

    const accepted = new Set<number>();
    let next = 0;
    let crashed = false;
    const worker = async () => {
      while (!crashed) {
        const n = next++;
        if (await publish(n)) accepted.add(n);
        if (accepted.size >= BEFORE_CRASH && !crashed) {
          crashed = true;
          killTree(cloud!.pid);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const deliveredAtCrash = received.size;
    const acceptedAtCrash = accepted.size;

    const restartedAt = Date.now();
    cloud = await startLocalCloud({ services: SERVICES, persist: true, stateDir });
    // The restarted cloud takes new events too.
    for (let n = next; n < next + 20; n++) if (await publish(n)) accepted.add(n);

    const deadline = Date.now() + 180_000;
    while ([...accepted].some((n) => !received.has(n)) && Date.now() < deadline) await sleep(250);
    const drainSeconds = (Date.now() - restartedAt) / 1000;

    const lost = [...accepted].filter((n) => !received.has(n));
    const repeats = [...received.values()].reduce((sum, ids) => sum + ids.length - 1, 0);
    console.log(
      `crash: ${acceptedAtCrash} events accepted before SIGKILL (${deliveredAtCrash} delivered by then), ` +
        `${accepted.size - acceptedAtCrash} after the restart; lost ${lost.length}; repeated deliveries ` +
        `${repeats}; restart ready in ${(cloud.readyInMs / 1000).toFixed(1)} s, drained ` +
        `${drainSeconds.toFixed(1)} s after the restart began`,
    );
    expect(lost).toEqual([]);
    // A repeat is the same message again: one webhook-id per event, whatever the retries.
    for (const ids of received.values()) expect(new Set(ids).size).toBe(1);
    // Nothing arrives that was not accepted... except events whose 202 the crash cut off.
    for (const n of received.keys()) expect(n).toBeLessThan(next + 20);
  }, 300_000);
});
