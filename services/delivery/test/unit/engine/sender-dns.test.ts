// The address check runs when the webhook is sent, on what DNS answers then: a real DNS server
// (started here) answers a name with a public address while the subscription is made and with a
// private one when the message goes out, and nothing reaches the private address.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Resolver } from 'node:dns/promises';
import dns2 from 'dns2';
import { endpointPolicy } from '../../../src/domain/address-safety';
import { subscribableUrlProblem } from '../../../src/domain/endpoint-check';
import { closeConnections, sendWebhook } from '../../../src/adapters/sender';

const { Packet } = dns2;
// A production-like stage: private networks are not allowed (the local stage allows loopback).
const production = endpointPolicy('dev', '');

let answers: string[] = [];
const questions: string[] = [];
let dnsServer: ReturnType<typeof dns2.createServer>;
let dnsPort: number;
let receiver: Server;
let receiverPort: number;
const received: string[] = [];

beforeAll(async () => {
  dnsServer = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      questions.push(question!.name);
      if (question!.type === Packet.TYPE.A) {
        for (const address of answers) {
          response.answers.push(Packet.createResourceFromQuestion(question!, { ttl: 1, address }));
        }
      }
      send(response);
    },
  });
  await dnsServer.listen({ udp: { port: 0, address: '127.0.0.1' } });
  dnsPort = (dnsServer.addresses().udp as AddressInfo).port;

  receiver = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(202).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeConnections();
  await dnsServer.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

/** Name resolution through the DNS server above only (the system resolver would not ask it). */
function stubResolver() {
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  return (hostname: string) => resolver.resolve4(hostname);
}

const send = (url: string) =>
  sendWebhook(url, { 'content-type': 'application/json' }, '{}', {
    timeoutMs: 3_000,
    policy: production,
    resolve: stubResolver(),
  });

describe('the address check at send time, against a real DNS server', () => {
  it('refuses a name that resolved publicly when subscribed and privately when sent', async () => {
    const url = `http://rebind.example.test:${receiverPort}/hook`;
    answers = ['93.184.216.34'];
    // Subscribing never resolves the name (it may change): the URL is accepted.
    expect(subscribableUrlProblem(url, production)).toBeUndefined();
    expect(await stubResolver()('rebind.example.test')).toEqual(['93.184.216.34']);

    answers = ['127.0.0.1'];
    const asked = questions.length;
    const result = await send(url);
    expect(result).toMatchObject({ refused: true });
    expect(result.error).toMatch(/address refused: 127\.0\.0\.1 is not a public address \(loopback\)/);
    expect(questions.length - asked).toBe(1);
    expect(received).toEqual([]);
  });

  it('refuses a name when any one of its addresses is private', async () => {
    answers = ['93.184.216.34', '10.1.2.3'];
    const result = await send(`http://mixed.example.test:${receiverPort}/hook`);
    expect(result.error).toMatch(/10\.1\.2\.3 is not a public address \(private\)/);
    expect(received).toEqual([]);
  });

  it('connects when an operator allows the network the name resolves to', async () => {
    answers = ['127.0.0.1'];
    const result = await sendWebhook(
      `http://allowed.example.test:${receiverPort}/allowed`,
      { 'content-type': 'application/json' },
      '{}',
      { timeoutMs: 3_000, policy: endpointPolicy('dev', '127.0.0.1/32'), resolve: stubResolver() },
    );
    expect(result).toMatchObject({ statusCode: 202 });
    expect(received).toEqual(['/allowed']);
  });
});
