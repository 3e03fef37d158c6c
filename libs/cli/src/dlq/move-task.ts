/**
 * AWS only: SQS's own redrive (StartMessageMoveTask), used by `dlq replay` on AWS when every message
 * goes back (no filter, no --max, not a dry run): SQS moves them server-side at the rate asked for,
 * each to the queue it came from unless a destination is given. Ctrl-C cancels the task; what SQS
 * moved stays moved, the rest stays in the DLQ (CancelMessageMoveTask never reverts).
 */
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface MoveTaskResult {
  status: string;
  moved: number;
  /** How many SQS meant to move (the DLQ's depth when the task started). */
  toMove: number;
  failureReason?: string;
  interrupted: boolean;
}

export async function moveWithTask(options: {
  sqs: SQSClient;
  dlqArn: string;
  /** Omitted: each message goes back to its own source queue. */
  destinationArn?: string;
  rate: number;
  stopSignal?: AbortSignal;
  pollMs?: number;
  onProgress?: (moved: number, toMove: number) => void;
  sleep?: (ms: number) => Promise<void>;
}): Promise<MoveTaskResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { TaskHandle } = await options.sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: options.dlqArn,
      ...(options.destinationArn ? { DestinationArn: options.destinationArn } : {}),
      MaxNumberOfMessagesPerSecond: Math.max(1, Math.min(500, Math.floor(options.rate))),
    }),
  );
  let cancelled = false;
  for (;;) {
    if (options.stopSignal?.aborted && !cancelled && TaskHandle) {
      cancelled = true;
      await options.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })).catch(() => undefined); // it may have finished in between
    }
    const { Results = [] } = await options.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: options.dlqArn, MaxResults: 1 }),
    );
    const task = Results.find((result) => !TaskHandle || result.TaskHandle === TaskHandle) ?? Results[0];
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const toMove = task?.ApproximateNumberOfMessagesToMove ?? moved;
    options.onProgress?.(moved, toMove);
    const status = task?.Status ?? 'UNKNOWN';
    if (status !== 'RUNNING' && status !== 'CANCELLING') {
      return {
        status,
        moved,
        toMove,
        ...(task?.FailureReason ? { failureReason: task.FailureReason } : {}),
        interrupted: cancelled,
      };
    }
    await sleep(options.pollMs ?? 1000);
  }
}
