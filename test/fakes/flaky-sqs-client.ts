import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { LocalSqs } from '#test/support/local-sqs';

/** How a gateway's entries fail: the next `times` sends, with this code and fault. */
export type EntryFailure = { times: number; senderFault?: boolean; code?: string };

/** One SendMessageBatch as the client was asked to send it. */
export interface SentBatch {
  entries: number;
  delays: number[];
  gatewayIds: string[];
}

/** One entry that reached the queue. */
export interface SentEntry {
  gatewayId: string;
  delaySeconds: number | undefined;
  body: string;
}

/** The client, every batch asked for, and every entry that reached the queue. */
export interface FlakySqsClient {
  client: Pick<SQSClient, 'send'>;
  batches: SentBatch[];
  sent: SentEntry[];
}

const gatewayIdOf = (body: string | undefined) => String(JSON.parse(body ?? '{}').gatewayId ?? '');

/**
 * The local queue's client as the janitor's, except that chosen gateways' SendMessageBatch entries fail
 * (left out of the request and reported in Failed, as SQS does) the next `times` they are
 * sent; any other command goes to the local queue as is.
 */
export function flakySqsClient(
  sqs: LocalSqs,
  failures: Map<string, EntryFailure> = new Map(),
): FlakySqsClient {
  const batches: SentBatch[] = [];
  const sent: SentEntry[] = [];
  const client: Pick<SQSClient, 'send'> = {
    send: (async (command: { input: unknown }) => {
      if (!(command instanceof SendMessageBatchCommand))
        return sqs.janitorClient.send(command as never);
      const entries = command.input.Entries ?? [];
      batches.push({
        entries: entries.length,
        delays: entries.map((e) => e.DelaySeconds ?? -1),
        gatewayIds: entries.map((e) => gatewayIdOf(e.MessageBody)),
      });
      const failed = entries.filter((e) => {
        const failure = failures.get(gatewayIdOf(e.MessageBody));
        if (!failure || failure.times <= 0) return false;
        failure.times -= 1;
        return true;
      });
      const passed = entries.filter((e) => !failed.includes(e));
      for (const e of passed) {
        const body = e.MessageBody ?? '';
        sent.push({ gatewayId: gatewayIdOf(body), delaySeconds: e.DelaySeconds, body });
      }
      const output: SendMessageBatchCommandOutput = passed.length
        ? await sqs.janitorClient.send(
            new SendMessageBatchCommand({ ...command.input, Entries: passed }),
          )
        : { Successful: [], Failed: [], $metadata: {} };
      return {
        ...output,
        Failed: [
          ...(output.Failed ?? []),
          ...failed.map((e) => {
            const failure = failures.get(gatewayIdOf(e.MessageBody));
            return {
              Id: e.Id,
              SenderFault: failure?.senderFault ?? false,
              Code: failure?.code ?? 'InternalError',
              Message: 'try again',
            };
          }),
        ],
      };
    }) as never,
  };
  return { client, batches, sent };
}
