import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * Powertools' JSON lines, minus what an audit line repeats (docs/benchmarks.md: at most 700 bytes per
 * `gateway.deleted` line). An audit line is `{"level", "audit"}`: `message` would repeat
 * `audit.event`, `timestamp` repeats `audit.time` (and CloudWatch stamps every event),
 * `service` is the log group, and `sampling_rate`/`xray_trace_id` say nothing about a
 * deletion. Other lines keep Powertools' keys. The audit record itself is untouched.
 */
export class AuditLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    if ('audit' in additional) {
      return new LogItem({ attributes: { level: attributes.logLevel } }).addAttributes(additional);
    }
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_request_id: context?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(additional);
  }
}
