// biome-ignore lint/suspicious/noExplicitAny: the results object is plain JSON
type Results = Record<string, any>;

const table = (head: string[], rows: Array<Array<string | number>>) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;
const ratio = (after: number, before: number) => (before > 0 ? (after / before).toFixed(2) : '-');

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
      `## 5. Import cost (median of ${c.rows[0]?.runs} fresh processes each, interleaved; empty process ${c.baselineMs} ms wall)`,
    );
    out.push(
      table(
        ['bundle', 'raw', 'zipped', 'import CPU ms', 'import wall ms over empty process'],
        c.rows.map((r: Results) => [
          r.name,
          kb(r.rawBytes),
          kb(r.zippedBytes),
          r.importCpuMs,
          r.importOverBaselineMs,
        ]),
      ),
    );
    const pairs = c.rows
      .map((before: Results) => {
        const match = /^(sweep|teardown) \((.+)\)$/.exec(before.name);
        const after = match && c.rows.find((r: Results) => r.name === match[1]);
        return after ? { before, after } : undefined;
      })
      .filter(Boolean) as Array<{ before: Results; after: Results }>;
    if (pairs.length > 0) {
      out.push(
        table(
          ['handler', 'import CPU ms before', 'after', 'ratio', 'zip before', 'after', 'ratio'],
          pairs.map(({ before, after }) => [
            before.name,
            before.importCpuMs,
            after.importCpuMs,
            ratio(after.importCpuMs, before.importCpuMs),
            kb(before.zippedBytes),
            kb(after.zippedBytes),
            ratio(after.zippedBytes, before.zippedBytes),
          ]),
        ),
      );
    }
    out.push(
      `Network at import time: ${c.networkAtImport.apiRequests} API requests, ${c.networkAtImport.secretCalls} GetSecretValue calls.`,
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
    out.push('## 7. Audit bytes');
    out.push(
      `gateway.deleted line: ${results.audit.averageBytes} bytes on average with the default Powertools formatter; ${results.auditCompact?.averageBytes ?? '-'} bytes with AuditLogFormatter.`,
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
  if (results.cost) {
    const c = results.cost;
    const o = c.organisation;
    out.push(
      `## 9. Monthly cost: ${o.gateways} gateways, a ${o.scheduleMinutes}-minute schedule, ${o.teardownRequestsPerDay} teardown requests a day`,
    );
    out.push(
      `Cold invocations in fresh processes, median of ${c.invocations[0]?.runs}; API latency ${c.latencyMs} ms per request; ${c.confirmationsQueued} confirmations queued by the deleting teardowns.`,
    );
    out.push(
      table(
        ['invocation', 'import ms', 'handler ms', 'billed ms', 'log bytes', 'peak RSS MB'],
        c.invocations.map((r: Results) => [
          r.name,
          r.importMs,
          r.invokeMs,
          r.billedMs,
          r.logBytes,
          r.maxRssMB,
        ]),
      ),
    );
    const total = c.lines.reduce((sum: number, line: Results) => sum + line.dollars, 0);
    out.push(
      table(
        ['item', 'quantity', 'unit', 'dollars'],
        [
          ...c.lines.map((line: Results) => [
            line.item,
            Number(line.quantity.toPrecision(3)),
            line.unit,
            usd(line.dollars),
          ]),
          ['total', '', '', usd(total)],
        ],
      ),
    );
    out.push(
      `Memory ${c.memoryMB} MB (serverless.yml); Lambda platform lines ${c.platformLogBytes} bytes per invocation; prices ${c.prices.region}, as of ${c.prices.asOf}.`,
    );
  }
  if (results.proof) {
    out.push(
      `## 10. Proving a batch (issue 19): warm teardown, ${results.proof[0]?.batch} due requests, median of ${results.proof[0]?.runs} interleaved runs`,
    );
    out.push(
      table(
        [
          'API latency ms',
          'handler ms',
          'ChangeMessageVisibilityBatch alone ms',
          'proof share',
          'SQS calls per batch before',
          'after',
          'handler SQS calls (after)',
        ],
        results.proof.map((r: Results) => [
          r.latencyMs,
          r.handlerMs,
          r.proofMs,
          r.share,
          r.callsBefore,
          r.callsAfter,
          r.actions,
        ]),
      ),
    );
  }
  return `${out.join('\n\n')}\n`;
}
