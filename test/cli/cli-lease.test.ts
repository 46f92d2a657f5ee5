import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { POLICY } from './canary-fleet.ts';
import { useRegistryCli } from './registry-cli.ts';
import { auditRecords } from './spawn-cli.ts';

const H = 3_600_000;
const D = 24 * H;
const UNBORN = '7e57f00d-0000-4000-8000-00000000abcd';

describe('gateway-janitor lease and keep on an in-memory registry', () => {
  const harness = useRegistryCli();
  const { cli, fresh, idOf } = harness;

  describe('lease set', () => {
    beforeAll(fresh);

    it('pins the listed name and createdAt and writes one lease.set record naming who', async () => {
      // Act
      const before = Date.now();
      const run = await cli([
        'lease',
        'set',
        'pr-1377-streaming',
        '--ttl',
        '2d',
        '--owner',
        'team-search',
        '--purpose',
        'PR 1377',
        '--json',
      ]);
      // Assess
      expect(run.code).toBe(0);
      const id = idOf('pr-1377-streaming');
      const records = auditRecords(run.stdout);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        event: 'lease.set',
        reason: 'operator',
        trigger: 'cli',
        gatewayId: id,
        gatewayName: 'pr-1377-streaming',
        owner: 'team-search',
        purpose: 'PR 1377',
        requestedBy: expect.stringMatching(/^cli:/),
      });
      const lease = (await harness.registry.snapshot()).leases.get(id);
      const listed = harness.simulator.list().find((g) => g.spec.id === id);
      expect(lease?.identity).toEqual({
        name: 'pr-1377-streaming',
        createdAt: Date.parse(listed?.status?.createdAt ?? ''),
      });
      expect(lease?.expiresAt).toBeGreaterThanOrEqual(before + 2 * D);
      expect(lease?.createdBy).toBe(records[0]?.requestedBy);
    });

    it('takes a unique id prefix, and says what it did without --json', async () => {
      const id = idOf('pr-1423-tokenizer-fix');
      const run = await cli(['lease', 'set', id.slice(0, 8), '--ttl', '1d', '--owner', 'a@b.c']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^lease set: pr-1423-tokenizer-fix \([0-9a-f]{8}\) expires .* \(in 1d\), owner a@b\.c\n$/,
      );
    });

    it('leases a gateway that does not exist yet by full uuid and --name, pinning the name only', async () => {
      const run = await cli([
        'lease',
        'set',
        UNBORN,
        '--ttl',
        '3h',
        '--owner',
        'ci',
        '--name',
        'pr-2001',
      ]);
      expect(run.code).toBe(0);
      expect((await harness.registry.snapshot()).leases.get(UNBORN)?.identity).toEqual({
        name: 'pr-2001',
      });
    });

    it.each([
      [
        ['pr-1377-streaming', '--ttl', '31d', '--owner', 'x'],
        '--ttl',
        'more than leases.maxTtl (30d)',
      ],
      [
        ['pr-1377-streaming', '--until', '2020-01-01T00:00:00Z', '--owner', 'x'],
        '--until',
        'lies in the past',
      ],
      [['pr-1377-streaming', '--ttl', '2d'], '--owner', 'required'],
      [['pr-1377-streaming', '--owner', 'x'], '--ttl or --until', 'required'],
      [
        ['pr-1377-streaming', '--ttl', '2d', '--until', '2099-01-01T00:00:00Z', '--owner', 'x'],
        '--ttl, --until',
        'one, not both',
      ],
      [['pr-1377-streaming', '--ttl', 'soon', '--owner', 'x'], '--ttl', 'expected a duration'],
      [['no-such-gateway', '--ttl', '2d', '--owner', 'x'], '<gateway>', 'no gateway is named'],
      [
        [UNBORN.replace('abcd', 'abce'), '--ttl', '2d', '--owner', 'x'],
        '--name',
        'does not exist (yet)',
      ],
      [
        ['pr-1377-streaming', '--ttl', '2d', '--owner', 'x', '--name', 'other'],
        '--name',
        'is named "pr-1377-streaming"',
      ],
    ])('refuses %j with exit 2, naming %s, writing nothing', async (args, field, message) => {
      const before = harness.store.items();
      const run = await cli(['lease', 'set', ...args, '--json']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`gateway-janitor: ${field}: `);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe('');
      expect(harness.store.items()).toEqual(before);
    });

    it('caps leases by the policy given', async () => {
      const policy = join(harness.dir, 'short.json');
      const doc = JSON.parse(readFileSync(POLICY, 'utf8'));
      writeFileSync(policy, JSON.stringify({ ...doc, leases: { maxTtl: '1d' } }));
      const run = await cli([
        'lease',
        'set',
        'pr-1377-streaming',
        '--ttl',
        '2d',
        '--owner',
        'x',
        '--policy',
        policy,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--ttl: ');
      expect(run.stderr).toContain('more than leases.maxTtl (1d) ahead');
    });
  });

  describe('lease extend, release and list', () => {
    beforeAll(fresh);

    it('extends by a duration, never creates, and lists soonest first', async () => {
      await cli(['lease', 'set', 'pr-1377-streaming', '--ttl', '2d', '--owner', 'team-search']);
      await cli(['lease', 'set', 'exp-moe-routing', '--ttl', '1d', '--owner', 'team-ml']);
      const extended = await cli(['lease', 'extend', 'pr-1377-streaming', '--by', '1d', '--json']);
      const missing = await cli(['lease', 'extend', 'pr-1423-tokenizer-fix', '--by', '1d']);
      const list = await cli(['lease', 'list']);
      const json = await cli(['lease', 'list', '--format', 'json', '--owner', 'team-search']);
      const expiring = await cli(['lease', 'list', '--expiring', '36h', '--format', 'csv']);

      const [record] = auditRecords(extended.stdout);
      expect(record).toMatchObject({
        event: 'lease.extended',
        reason: 'operator',
        owner: 'team-search',
      });
      expect(
        Date.parse(String(record?.expiresAt)) - Date.parse(String(record?.previousExpiresAt)),
      ).toBe(D);
      expect(missing).toMatchObject({ code: 2 });
      expect(missing.stderr).toContain('has no lease to extend: use lease set');
      expect(
        list.stdout
          .split('\n')
          .slice(1, 3)
          .map((l) => l.split(' ')[0]),
      ).toEqual(['exp-moe-routing', 'pr-1377-streaming']);
      const listed = JSON.parse(json.stdout) as { leases: Array<{ name: string; owner: string }> };
      expect(listed.leases.map((l) => l.name)).toEqual(['pr-1377-streaming']);
      expect(expiring.stdout.trim().split('\n')).toHaveLength(2);
      expect(expiring.stdout).toContain('exp-moe-routing');
    });

    it('refuses an extension past leases.maxTtl, keeping the lease as it was', async () => {
      const before = (await harness.registry.snapshot()).leases.get(idOf('pr-1377-streaming'));
      const run = await cli(['lease', 'extend', 'pr-1377-streaming', '--by', '30d']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--by: more than leases.maxTtl ahead');
      expect((await harness.registry.snapshot()).leases.get(idOf('pr-1377-streaming'))).toEqual(
        before,
      );
    });

    it('releases a lease with one lease.released record, reason released', async () => {
      const run = await cli(['lease', 'release', 'exp-moe-routing', '--json']);
      const again = await cli(['lease', 'release', 'exp-moe-routing']);
      expect(auditRecords(run.stdout)).toMatchObject([
        {
          event: 'lease.released',
          reason: 'released',
          gatewayName: 'exp-moe-routing',
          owner: 'team-ml',
        },
      ]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('has no lease to release');
    });
  });

  describe('keep and unkeep', () => {
    beforeAll(fresh);

    it('keeps until a time with a reason, shows it in the list, and unkeeps', async () => {
      const audit = join(harness.dir, 'keep.jsonl');
      await cli(['lease', 'set', 'pr-1377-streaming', '--ttl', '2d', '--owner', 'team-search']);
      const kept = await cli([
        'keep',
        'pr-1377-streaming',
        '--for',
        '3d',
        '--reason',
        'demo friday',
        '--audit-file',
        audit,
      ]);
      const list = await cli(['lease', 'list', '--format', 'json']);
      const unkept = await cli(['unkeep', 'pr-1377-streaming', '--audit-file', audit]);
      expect(kept.stdout).toMatch(/^kept: pr-1377-streaming until .* \(in 3d\)/);
      expect(JSON.parse(list.stdout).leases[0].keptUntil).toEqual(expect.any(String));
      expect(unkept.code).toBe(0);
      const records = readFileSync(audit, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).audit);
      expect(records).toMatchObject([
        {
          event: 'gateway.exempted',
          reason: 'kept',
          note: 'demo friday',
          gatewayName: 'pr-1377-streaming',
        },
        { event: 'gateway.exempted', reason: 'unkept', note: 'demo friday' },
      ]);
      expect((await harness.registry.snapshot()).exemptions.size).toBe(0);
    });

    it.each([
      [
        ['pr-1377-streaming', '--for', '31d', '--reason', 'x'],
        '--for',
        'more than leases.maxKeep (30d)',
      ],
      [['pr-1377-streaming', '--for', '1d'], '--reason', 'required'],
      [
        ['pr-1377-streaming', '--until', '2001-01-01T00:00:00+02:00', '--reason', 'x'],
        '--until',
        'in the past',
      ],
    ])('refuses keep %j naming %s, writing nothing', async (args, field, message) => {
      const run = await cli(['keep', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${field}: `);
      expect(run.stderr).toContain(message);
      expect((await harness.registry.snapshot()).exemptions.size).toBe(0);
    });
  });
});
