import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EVENTS } from '#core/audit/vocabulary';
import { runCliInProcess } from './run-cli-in-process.ts';

// The review before going live: what a dry run would delete, listed like deletions.
describe('audit: reviewing a dry run', () => {
  let file = '';
  beforeAll(async () => {
    file = join(await mkdtemp(join(tmpdir(), 'janitor-review-')), 'dry-run.jsonl');
    const dry = await runCliInProcess(['sweep', '--simulate', '--audit-file', file], { env: {} });
    expect(dry.code).toBe(0);
  });

  it('lists the would-be deletions with --dry-run, each with its rule and reason', async () => {
    // Act
    const run = await runCliInProcess(['audit', '--dry-run', '--file', file, '--format', 'json']);
    // Assess
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.find((r) => r.name === 'pr-1290-failed-build')).toMatchObject({
      rule: 'broken',
      reason: 'expired',
      confirmation: 'dry run',
      trigger: 'cli',
    });
    expect(rows.map((r) => r.name)).not.toContain('prod-chat-east');
  });

  it('lists the same rows for --event gateway.would_delete, which matched nothing before', async () => {
    const byFlag = await runCliInProcess(['audit', '--dry-run', '--file', file, '--format', 'csv']);
    const byEvent = await runCliInProcess([
      'audit',
      '--event',
      'gateway.would_delete',
      '--file',
      file,
      '--format',
      'csv',
    ]);
    expect(byEvent.code).toBe(0);
    expect(byEvent.stdout).toBe(byFlag.stdout);
    expect(byEvent.stdout.split('\n').length).toBeGreaterThan(10);
  });

  it('keeps live deletions and would-be deletions apart without the flag', async () => {
    const run = await runCliInProcess(['audit', '--file', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No records matched');
  });

  it.each([
    ['a misspelt event', 'gateway.wouldelete'],
    ['a well-formed name that is no event', 'gateway.purged'],
    ['an inherited property name', 'toString'],
  ])('refuses %s, listing the events there are (exit 2)', async (_case, event) => {
    const run = await runCliInProcess(['audit', '--file', file, '--event', event]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--event: "${event}" is not an audit event; expected one of:`);
    for (const known of AUDIT_EVENTS) expect(run.stderr).toContain(known);
  });
});
