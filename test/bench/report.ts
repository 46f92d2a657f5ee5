import { type CostInputs, costOf, lambdaMemoryFor } from './cost-model.ts';

// biome-ignore lint/suspicious/noExplicitAny: the results object is plain JSON
type Results = Record<string, any>;

const table = (head: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const usd = (value: number) => `$${value.toFixed(6)}`;

/** The cost scenarios of item 7, from the measured results. */
export function costScenarios(results: Results) {
  const auditBytes = results.auditCompact?.averageBytes ?? results.audit?.averageBytes ?? 700;
  // Sized for a 10,000-gateway fleet (unconstrained peak RSS), the fleet item 4 targets.
  const tenK =
    (results.memory ?? []).find(
      (row: { listed: number; nodeFlags?: string }) =>
        row.listed <= 10_000 && row.nodeFlags !== undefined && row.nodeFlags === '(none)',
    ) ?? (results.memory ?? [])[0];
  const peak = tenK?.maxRssMB ?? 0;
  const memoryMB = lambdaMemoryFor(peak || 100);
  const scenarios: Array<{ name: string; inputs: CostInputs }> = [];
  const n = Math.max(
    0,
    ...(results.throughput ?? []).map((r: Results) => r.n).filter((v: number) => v <= 1000),
  );
  for (const row of results.throughput ?? []) {
    if (row.n !== n || row.concurrency === 256) continue;
    scenarios.push({
      name: `sweep, L=${row.latencyMs} ms, C=${row.concurrency}`,
      inputs: {
        deletions: 1000,
        lambdaMs: (row.wallMs * 1000) / Math.max(1, row.deleted),
        memoryMB,
        invocations: 1,
        secretCalls: 1,
        sqsRequests: 0,
        auditBytesPerDeletion: auditBytes,
        otherLogBytes: results.auditCompact?.summaryLineBytes ?? 500,
      },
    });
  }
  // Estimated, not measured: 100 SQS batches of 10, each a GET and a DELETE at 200 ms.
  scenarios.push({
    name: 'teardown via SQS (estimate: 100 batches of 10, GET+DELETE at 200 ms)',
    inputs: {
      deletions: 1000,
      lambdaMs: 100 * (2 * 200 + 50),
      memoryMB,
      invocations: 100,
      secretCalls: 1,
      sqsRequests: 1000 + 100 + 100,
      auditBytesPerDeletion: auditBytes,
      otherLogBytes: 100 * 300,
    },
  });
  return {
    memoryMB,
    auditBytes,
    rows: scenarios.map((s) => ({ name: s.name, ...s.inputs, cost: costOf(s.inputs) })),
  };
}

/** The Markdown report printed by `npm run bench`. */
export function report(results: Results): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`# Benchmarks ${results.quick ? '(quick mode: smoke run, small N)' : ''}`.trim());
  out.push(
    `${results.date}; ${m.nproc} x ${m.model}, ${Math.round(m.memoryMB / 1024)} GB, Node ${m.node}; load average at start ${m.loadavg}`,
  );
  if (results.throughput) {
    out.push('## 1. Throughput (live sweep through the handler; rate over the delete phase)');
    out.push(
      table(
        [
          'N',
          'L ms',
          'C',
          'deleted',
          'run',
          'deletions/s',
          'ideal C/L',
          'ratio',
          'end-to-end/s',
          'client CPU µs/deletion',
          'simulator CPU share',
        ],
        results.throughput.map((r: Results) => [
          r.n,
          r.latencyMs,
          r.concurrency,
          r.deleted,
          r.status,
          r.rate,
          r.ideal,
          r.ratio,
          r.endToEndRate,
          r.clientCpuUsPerDelete,
          r.simulatorCpuShare,
        ]),
      ),
    );
  }
  if (results.rateLimit) {
    out.push('## 2. Rate-limit compliance (token bucket R requests/s, burst R, L = 50 ms)');
    out.push(
      table(
        [
          'client',
          'C',
          'R',
          'N',
          'deleted',
          'failed',
          'achieved/R',
          'steady/R',
          '429 share',
          'steady 429 share',
          'requests',
          'wall ms',
        ],
        results.rateLimit.map((r: Results) => [
          r.client,
          r.concurrency,
          r.rps,
          r.n,
          r.deleted,
          r.failed,
          r.achievedOverR,
          r.steadyOverR,
          r.share429,
          r.steadyShare429,
          r.requests,
          r.wallMs,
        ]),
      ),
    );
  }
  if (results.cpu) {
    out.push('## 3. CPU per DELETE (L = 20 ms, warm)');
    out.push(
      table(
        ['variant', 'C', 'deletes', 'ok', 'wall ms', 'CPU µs/DELETE', 'user µs/DELETE'],
        results.cpu.rows.map((r: Results) => [
          r.variant,
          r.concurrency,
          r.deletes,
          r.ok,
          r.wallMs,
          r.cpuUsPerDelete,
          r.userUsPerDelete,
        ]),
      ),
    );
    out.push(
      `Loopback round trip at L = 0 (our client, sequential): median ${results.cpu.roundTripMs.median} ms, p90 ${results.cpu.roundTripMs.p90} ms, max ${results.cpu.roundTripMs.max} ms.`,
    );
  }
  if (results.memory) {
    out.push('## 4. Peak memory (fresh process, built sweep bundle, 1% expired, C = 64)');
    out.push(
      table(
        [
          'listed',
          'node flags',
          'expired',
          'deleted',
          'peak RSS MB',
          'RSS before import MB',
          'invoke ms',
        ],
        results.memory.map((r: Results) => [
          r.listed,
          r.nodeFlags,
          r.expired,
          r.deleted,
          r.maxRssMB,
          r.rssBeforeImportMB,
          r.invokeMs,
        ]),
      ),
    );
  }
  if (results.coldStart) {
    const c = results.coldStart;
    out.push(
      `## 5. Cold start (median of ${c.rows[0]?.runs} fresh processes; empty-process baseline ${c.baselineMs} ms)`,
    );
    out.push(
      table(
        ['bundle', 'raw', 'zipped', 'import over baseline ms (wall)', 'import CPU ms'],
        c.rows.map((r: Results) => [
          r.name,
          kb(r.rawBytes),
          kb(r.zippedBytes),
          r.importOverBaselineMs,
          r.importCpuMs,
        ]),
      ),
    );
    out.push(
      `Network at import time: ${c.networkAtImport.apiRequests} API requests, ${c.networkAtImport.secretCalls} GetSecretValue calls.`,
    );
  }
  if (results.ricColdStart) {
    const r = results.ricColdStart;
    out.push(`## 5b. Cold invocation under ${r.client.name} (median of ${r.rows[0]?.runs})`);
    if (r.client.substituteReason) out.push(`Substitute: ${r.client.substituteReason}.`);
    out.push(
      table(
        ['handler', 'init ms', 'end to end ms', 'ratio to minimal', 'failures'],
        r.rows.map((row: Results) => [
          row.name,
          row.initMs,
          row.endToEndMs,
          row.ratio,
          row.failures,
        ]),
      ),
    );
  }
  if (results.secrets) {
    const s = results.secrets;
    out.push('## 6. Secret fetches');
    out.push(
      `${s.deleted} deletions over ${s.invocations} invocations, ${s.coldStarts} cold starts, ${s.rotations} rotation: ${s.getSecretValueCalls} GetSecretValue calls (expected ${s.expected}).`,
    );
  }
  if (results.audit) {
    out.push('## 7. Audit bytes and cost per 1,000 deletions');
    out.push(
      `gateway.deleted line: ${results.audit.averageBytes} bytes on average with the default Powertools formatter; ${results.auditCompact?.averageBytes ?? '-'} bytes with AuditLogFormatter.`,
    );
  }
  if (results.throughput && results.audit) {
    const costs = costScenarios(results);
    out.push(
      `Lambda memory ${costs.memoryMB} MB (peak RSS of the 10,000-gateway sweep + 25%), ${costs.auditBytes} audit bytes per deletion.`,
    );
    out.push(
      table(
        [
          'scenario',
          'Lambda ms',
          'compute',
          'requests',
          'Secrets Manager',
          'SQS',
          'logs ingest',
          'logs storage 400 d',
          'total per 1,000',
        ],
        costs.rows.map((r) => [
          r.name,
          Math.round(r.lambdaMs),
          usd(r.cost.lambdaCompute),
          usd(r.cost.lambdaRequests),
          usd(r.cost.secretsManager),
          usd(r.cost.sqs),
          usd(r.cost.logsIngestion),
          usd(r.cost.logsStorage),
          usd(r.cost.per1000),
        ]),
      ),
    );
  }
  if (results.peers) {
    out.push('## 8. Peers (L = 50 ms, R = 200 requests/s, burst 200)');
    out.push(
      table(
        [
          'peer',
          'deleted',
          'wall ms',
          'CPU ms',
          'requests',
          '429s',
          'failed',
          'deletions/s',
          'note',
        ],
        results.peers.map((r: Results) => [
          r.peer,
          r.deletes,
          r.wallMs,
          r.cpuMs,
          r.requests,
          r.status429,
          r.failed,
          r.deletionsPerSecond,
          r.note ?? '',
        ]),
      ),
    );
  }
  return `${out.join('\n\n')}\n`;
}
