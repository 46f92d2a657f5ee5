import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsJson, sendAwsJsonError, startAwsWireServer } from './aws-wire-server.ts';

export type SecretsManagerFailure = { status: number; type: string; message: string };

export type SecretsManagerDouble = {
  url: string;
  calls: Array<{ secretId: string }>;
  setSecret(id: string, value: string): void;
  /** The next `times` (default 1) GetSecretValue calls answer this AWS error. */
  fail(next: SecretsManagerFailure, times?: number): void;
  /** The next `times` (default 1) GetSecretValue calls are read and never answered. */
  hang(times?: number): void;
  close(): Promise<void>;
};

type Stored = { value: string; versionId: string; createdDate: number };

const ARN_PREFIX = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';

/**
 * A loopback stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol),
 * for use with the real SDK client via `endpoint` or AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
export async function startSecretsManagerDouble(options: {
  secrets: Record<string, string>;
}): Promise<SecretsManagerDouble> {
  const secrets = new Map<string, Stored>();
  const setSecret = (id: string, value: string) =>
    secrets.set(id, { value, versionId: randomUUID(), createdDate: Math.floor(Date.now() / 1000) });
  for (const [id, value] of Object.entries(options.secrets)) setSecret(id, value);
  const calls: Array<{ secretId: string }> = [];
  const failures: SecretsManagerFailure[] = [];
  let hangs = 0;

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return awsError(res, {
        status: 400,
        type: 'UnknownOperationException',
        message: 'unsupported',
      });
    }
    let secretId = '';
    try {
      secretId = String((JSON.parse(raw) as { SecretId?: unknown }).SecretId ?? '');
    } catch {
      return awsError(res, { status: 400, type: 'SerializationException', message: 'bad JSON' });
    }
    calls.push({ secretId });
    if (hangs > 0) {
      hangs -= 1;
      return;
    }
    const failure = failures.shift();
    if (failure) return awsError(res, failure);
    const stored = secrets.get(secretId);
    if (!stored) {
      return awsError(res, {
        status: 400,
        type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    const isArn = secretId.startsWith(ARN_PREFIX);
    const name = isArn
      ? secretId.slice(ARN_PREFIX.length).replace(/-[A-Za-z0-9]{6}$/, '')
      : secretId;
    sendAwsJson(res, 200, {
      ARN: isArn ? secretId : `${ARN_PREFIX}${name}-AbCdEf`,
      Name: name,
      SecretString: stored.value,
      VersionId: stored.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: stored.createdDate,
    });
  };

  const server = await startAwsWireServer(answer);

  return {
    url: server.url,
    calls,
    setSecret,
    fail(next, times = 1) {
      for (let n = 0; n < times; n += 1) failures.push(next);
    },
    hang(times = 1) {
      hangs += times;
    },
    close: server.close,
  };
}

function awsError(res: ServerResponse, failure: SecretsManagerFailure): void {
  sendAwsJsonError(res, failure.status, failure.type, failure.message);
}
