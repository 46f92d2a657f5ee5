import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_TEXT,
  HOSTILE_VALUES,
  parseCsv,
  TERMINAL_CONTROL,
} from '#test/fixtures/hostile-text';
import { runCliInProcess } from './run-cli-in-process.ts';

// One deletion per hostile value, named with it and requested by it: names and
// requestedBy come from other people (docs/contract.md "Review").
function deletionLine(value: string, index: number): string {
  const audit = {
    schemaVersion: 1,
    event: 'gateway.deleted',
    time: new Date(Date.now() - (index + 1) * 60_000).toISOString(),
    runId: 'run-hostile',
    trigger: 'sqs',
    gatewayId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    gatewayName: value,
    requestedBy: value,
    reason: 'requested',
  };
  return JSON.stringify({ level: 'INFO', audit });
}

describe('gateway-janitor audit with hostile names and requestedBy', () => {
  let file: string;
  const audit = (format: string) =>
    runCliInProcess(['audit', 'deletions', '--file', file, '--format', format]);

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'janitor-hostile-'));
    file = join(dir, 'teardown.log');
    await writeFile(file, `${HOSTILE_VALUES.map(deletionLine).join('\n')}\n`);
  });

  it('csv: keeps one row per deletion and no cell that a spreadsheet runs as a formula', async () => {
    // Act
    const { code, stdout } = await audit('csv');
    // Assess
    expect(code).toBe(0);
    const [header, ...rows] = parseCsv(stdout);
    expect(rows).toHaveLength(HOSTILE_VALUES.length);
    const name = header?.indexOf('name') ?? -1;
    const requestedBy = header?.indexOf('requestedBy') ?? -1;
    for (const row of rows) {
      expect(row).toHaveLength(header?.length ?? 0);
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(row[requestedBy]).toBe(row[name]);
    }
    const names = rows.map((row) => row[name]);
    expect(names).toContain(`'${HOSTILE_TEXT.formula}`);
    expect(names).toContain(`'${HOSTILE_TEXT.tab}`);
    expect(names).toContain(`'${HOSTILE_TEXT.carriageReturn}`);
    expect(names).toContain(HOSTILE_TEXT.pipeAndBreaks);
    // Tabs and line breaks stay data inside quoted cells; nothing else a terminal acts on.
    expect(stdout.replace(/[\t\r\n]/g, '')).not.toMatch(TERMINAL_CONTROL);
  });

  it('md: keeps every row on one line with its own cells, and escapes links and HTML', async () => {
    const { code, stdout } = await audit('md');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + HOSTILE_VALUES.length);
    const columns = (lines[0]?.match(/\|/g) ?? []).length;
    for (const line of lines) {
      // A pipe that is not escaped is a cell border: each row has as many as the header.
      expect((line.replace(/\\[\s\S]/g, '').match(/\|/g) ?? []).length).toBe(columns);
      expect(line).not.toMatch(TERMINAL_CONTROL);
    }
    expect(stdout).toContain('\\[click\\](http://evil.invalid)');
    expect(stdout).toContain('\\<img src=x\\>');
  });

  it('table: strips control characters and escape sequences, one line per deletion', async () => {
    const { code, stdout } = await audit('table');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + HOSTILE_VALUES.length);
    for (const line of lines) expect(line).not.toMatch(TERMINAL_CONTROL);
    expect(stdout).toContain('pr-1red');
    expect(stdout).toContain('click me');
  });

  it('json: gives back every value exactly, with terminal controls written as \\u escapes', async () => {
    const { code, stdout } = await audit('json');
    expect(code).toBe(0);
    expect(stdout.replace(/\n/g, '')).not.toMatch(TERMINAL_CONTROL);
    const rows = JSON.parse(stdout) as Array<{ name: string; requestedBy: string }>;
    expect(rows.map((row) => row.name).sort()).toEqual([...HOSTILE_VALUES].sort());
    expect(rows.map((row) => row.requestedBy).sort()).toEqual([...HOSTILE_VALUES].sort());
  });
});
