/** Where a metric line goes, and what it is filed under. */
export interface EmfOptions {
  /** CloudWatch namespace (POWERTOOLS_METRICS_NAMESPACE, set by the stack) */
  namespace: string;
  /** the `service` dimension (POWERTOOLS_SERVICE_NAME) */
  service: string;
  write?: (line: string) => void;
  now?: () => number;
}

/**
 * Writes one CloudWatch metric as a log line in embedded metric format: Lambda's log
 * pipeline turns it into a metric with no API call and no client. Written by hand rather
 * than with Powertools Metrics, which measured heavier for one gauge per run
 * (docs/benchmarks.md, "Embedded metrics").
 */
export function emitMetric(name: string, value: number, options: EmfOptions): void {
  const line = {
    _aws: {
      Timestamp: (options.now ?? Date.now)(),
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [['service']],
          Metrics: [{ Name: name, Unit: 'Count' }],
        },
      ],
    },
    service: options.service,
    [name]: value,
  };
  (options.write ?? ((text: string) => process.stdout.write(`${text}\n`)))(JSON.stringify(line));
}
