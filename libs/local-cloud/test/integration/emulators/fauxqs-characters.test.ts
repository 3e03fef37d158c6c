// The local SQS accepts exactly the characters real SQS accepts: every plane (emoji included), but
// not U+FFFE, U+FFFF, unpaired surrogates or most control characters.
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startFauxqs } from '../runner/emulators';
import type { RunningEmulator } from '../runner/emulators';

let fauxqs: RunningEmulator;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  sqs = new SQSClient({
    endpoint: fauxqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'characters' }))).QueueUrl!;
});

afterAll(async () => {
  sqs?.destroy();
  await fauxqs?.stop();
});

const refusal = async (body: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })).then(
    () => 'accepted',
    (error: Error) => error.name,
  );

describe('fauxqs, as the local SQS', () => {
  it('carries characters of every plane, emoji included, unchanged', async () => {
    const body = 'tab\there ñ 中文 \u{1F600} \u{10FFFF} \u{E000} \u{FFFD}';
    expect(await refusal(body)).toBe('accepted');
    const batch = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: '\u{1F680}' }] }),
    );
    expect(batch.Failed ?? []).toEqual([]);
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect((received.Messages ?? []).map((m) => m.Body).sort()).toEqual([body, '\u{1F680}'].sort());
  });

  it.each([
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', '\uFFFF'],
    ['an unpaired high surrogate', 'x\uD83Dy'],
    ['an unpaired low surrogate', '\uDE00'],
    ['U+0001', '\u0001'],
  ])('refuses %s as SQS does', async (_name, body) => {
    expect(await refusal(body)).toMatch(/InvalidMessageContents$/);
  });
});
