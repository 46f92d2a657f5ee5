import { describe, expect, it } from 'vitest';
import { emitMetric } from '#adapters/logging/emf-metric';

describe('emitMetric', () => {
  it('writes one line in embedded metric format: namespace, service dimension, value', () => {
    // Prepare
    const lines: string[] = [];
    // Act
    emitMetric('ExpiringWithin24h', 7, {
      namespace: 'GatewayJanitor/dev',
      service: 'gateway-janitor',
      write: (line) => lines.push(line),
      now: () => 1_800_000_000_000,
    });
    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      _aws: {
        Timestamp: 1_800_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'GatewayJanitor/dev',
            Dimensions: [['service']],
            Metrics: [{ Name: 'ExpiringWithin24h', Unit: 'Count' }],
          },
        ],
      },
      service: 'gateway-janitor',
      ExpiringWithin24h: 7,
    });
    expect(lines[0]).not.toContain('\n');
  });
});
