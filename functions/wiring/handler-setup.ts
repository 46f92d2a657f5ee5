import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createDynamoDbRegistry } from '#adapters/aws/dynamodb-registry';
import { InvocationTime, lambdaDeadline } from '#adapters/aws/lambda-deadline';
import { createRunNotifier, type RunNotifier } from '#adapters/aws/sns-run-notifier';
import type { RetryProfileName } from '#adapters/coreweave/retry';
import { createLogger } from '#adapters/logging/create-logger';
import { LoggerAuditSink } from '#adapters/logging/logger-audit-sink';
import type { LambdaConfig } from '#config/load-config';
import type { AuditSink } from '#core/audit/record';
import type { Clock, Deadline } from '#core/ports';
import type { Registry } from '#core/registry-port';
import { type ApiOverrides, createGatewayApi, deadlineMarginMs } from './gateway-api.ts';

/** Edges a handler's tests replace; production uses the defaults. */
export interface HandlerDeps extends ApiOverrides {
  env?: Record<string, string | undefined>;
  sink?: AuditSink;
  clock?: Clock;
  logger?: Logger;
  /** the registry, instead of the table JANITOR_REGISTRY_TABLE names */
  registry?: Registry;
}

/** What one execution environment wires once: configuration, API client, run notices, registry. */
export interface Wired<C extends LambdaConfig> {
  config: C;
  api: ReturnType<typeof createGatewayApi>['api'];
  notifier: RunNotifier;
  /** the table of JANITOR_REGISTRY_TABLE; undefined: `registry: off` */
  registry?: Registry;
}

/** One invocation: the wiring, its deadline and its run id. */
export interface Invocation<C extends LambdaConfig> extends Wired<C> {
  deadline: Deadline;
  runId: string;
}

/** How a handler's environment is wired: its configuration and its API retry profile. */
export interface HandlerSetupOptions<C extends LambdaConfig> {
  loadConfig: (env: Record<string, string | undefined>) => C;
  profile: RetryProfileName;
}

/**
 * The set-up both handlers share. Logger, audit sink and clock exist from the start; the
 * configuration, token source and connection pool are created on the first invocation
 * and reused while the execution environment lives, so nothing touches the network at
 * import time.
 */
export function createHandlerSetup<C extends LambdaConfig>(
  deps: HandlerDeps,
  options: HandlerSetupOptions<C>,
) {
  const logger = deps.logger ?? createLogger();
  const sink = deps.sink ?? new LoggerAuditSink(logger);
  const clock = deps.clock ?? { now: Date.now };
  const time = new InvocationTime();
  let wired: Wired<C> | undefined;

  const wire = (): Wired<C> => {
    const config = options.loadConfig(deps.env ?? process.env);
    const notifier = createRunNotifier({
      mode: config.notify,
      topicArn: config.notifyTopicArn,
      warn: (message, detail) => logger.warn(message, detail),
    });
    const { api } = createGatewayApi(config, { ...deps, time, profile: options.profile });
    // The SDK loads on the registry's first call, not here (docs/benchmarks.md).
    const registry =
      deps.registry ??
      (config.registryTable === undefined
        ? undefined
        : createDynamoDbRegistry({ tableName: config.registryTable, time }, config.policy.leases));
    return { config, api, notifier, ...(registry ? { registry } : {}) };
  };

  return {
    logger,
    sink,
    clock,
    /** the running invocation's remaining time, for AWS SDK calls */
    time,
    /** Binds AWS SDK calls to this invocation's remaining time; call first in every invocation. */
    begin(context: Partial<Context> | undefined): void {
      time.start(context);
    },
    /** The environment's wiring (created on first use) with this invocation's deadline and run id. */
    invocation(context: Partial<Context> | undefined): Invocation<C> {
      wired ??= wire();
      return {
        ...wired,
        deadline: lambdaDeadline(context, deadlineMarginMs(wired.config)),
        runId: context?.awsRequestId ?? randomUUID(),
      };
    },
  };
}
