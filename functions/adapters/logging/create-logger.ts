import { Logger } from '@aws-lambda-powertools/logger';
import { AuditLogFormatter } from './audit-log-formatter.ts';

/** The functions' Powertools Logger: JSON lines, audit lines kept lean. */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'gateway-janitor', logFormatter: new AuditLogFormatter() });
}
