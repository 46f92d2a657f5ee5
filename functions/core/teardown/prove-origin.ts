import { parseQueueArn, sameQueue } from './queue-identity.ts';
import type { ReceiptCheck, TeardownMessage } from './teardown-deps.ts';

/** A record the teardown queue does not vouch for, and the claim that failed. */
export interface NotFromQueue {
  message: TeardownMessage;
  field: 'eventSourceARN' | 'receiptHandle';
  why: string;
}

/** A batch sorted by origin: what to serve, what was not from the queue, what to hand back. */
export interface ProvenBatch {
  serve: TeardownMessage[];
  notFromQueue: NotFromQueue[];
  /** the queue could not answer (throttled, unreachable): these come back untouched */
  handBack: TeardownMessage[];
  /** why the queue could not answer */
  unproven?: unknown;
}

// SQS receipt handles are at most 1024 characters.
const MAX_HANDLE_CHARS = 1024;

/**
 * Proves each record came from the teardown queue (docs/contract.md "Only the queue feeds
 * the teardown"): its `eventSourceARN` names the queue, and the queue accepts its receipt
 * handle, all handles in one ChangeMessageVisibilityBatch. A message without an origin
 * (the CLI's) has no record to prove. When the call fails as a whole, nothing is served.
 */
export async function proveOrigin(
  messages: readonly TeardownMessage[],
  receipts: ReceiptCheck | undefined,
): Promise<ProvenBatch> {
  const notFromQueue: NotFromQueue[] = [];
  const claimed = new Map<string, TeardownMessage>();
  const handles = new Map<string, string>();
  const serve = new Set<TeardownMessage>();
  const inOrder = () => messages.filter((message) => serve.has(message));
  for (const message of messages) {
    const { origin } = message;
    if (!origin) {
      serve.add(message);
      continue;
    }
    const queue = parseQueueArn(origin.eventSourceArn);
    if (!receipts || !queue || !sameQueue(queue, receipts.queue)) {
      const why = 'does not name the teardown queue (TEARDOWN_QUEUE_URL)';
      notFromQueue.push({ message, field: 'eventSourceARN', why });
      continue;
    }
    const handle = origin.receiptHandle;
    if (!handle || handle.length > MAX_HANDLE_CHARS) {
      notFromQueue.push({ message, field: 'receiptHandle', why: 'missing or malformed' });
      continue;
    }
    const id = `r${claimed.size}`;
    claimed.set(id, message);
    handles.set(id, handle);
  }
  if (!receipts || claimed.size === 0) return { serve: inOrder(), notFromQueue, handBack: [] };
  let accepted: Set<string>;
  try {
    accepted = await receipts.accept(handles);
  } catch (error) {
    return { serve: inOrder(), notFromQueue, handBack: [...claimed.values()], unproven: error };
  }
  for (const [id, message] of claimed) {
    if (accepted.has(id)) serve.add(message);
    else {
      const why = 'the teardown queue does not know it as a message in flight';
      notFromQueue.push({ message, field: 'receiptHandle', why });
    }
  }
  return { serve: inOrder(), notFromQueue, handBack: [] };
}
