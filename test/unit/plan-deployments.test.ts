import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DeletionCandidate, planDeployments } from '#core/cascade';
import type { Deployment } from '#core/model';

const G1 = '11111111-1111-4111-8111-111111111111';
const G2 = '22222222-2222-4222-8222-222222222222';
const G3 = '33333333-3333-4333-8333-333333333333';

const deployment = (
  name: string,
  gatewayIds: string[],
  status: Deployment['status'] = 'STATUS_READY',
): Deployment => ({ id: depId(name), name, gatewayIds, status });
/** A deployment uuid spelling its name in hex, so that each name has its own. */
const depId = (name: string) =>
  `d0000000-0000-4000-8000-${Buffer.from(name).toString('hex').padStart(12, '0').slice(-12)}`;
const cascading = (id: string): DeletionCandidate => ({ id, cascade: true });
const plain = (id: string): DeletionCandidate => ({ id, cascade: false });

describe('planDeployments', () => {
  it.each<{
    title: string;
    candidates: DeletionCandidate[];
    deployments: Deployment[];
    deleted: string[];
    fates: Record<string, string>;
  }>([
    {
      title: 'lets a gateway no deployment serves go as planned',
      candidates: [plain(G1)],
      deployments: [deployment('other', [G2])],
      deleted: [],
      fates: { [G1]: 'free' },
    },
    {
      title: 'keeps a gateway a deployment serves when its rule does not cascade',
      candidates: [plain(G1)],
      deployments: [deployment('a', [G1])],
      deleted: [],
      fates: { [G1]: 'held' },
    },
    {
      title: 'deletes the deployment first when the rule cascades',
      candidates: [cascading(G1)],
      deployments: [deployment('a', [G1])],
      deleted: ['a'],
      fates: { [G1]: 'cascade' },
    },
    {
      title: 'never touches a deployment that also serves a gateway kept by the policy',
      candidates: [cascading(G1)],
      deployments: [deployment('shared', [G1, G2])],
      deleted: [],
      fates: { [G1]: 'held' },
    },
    {
      title: 'deletes a deployment whose every gateway cascades',
      candidates: [cascading(G1), cascading(G2)],
      deployments: [deployment('shared', [G1, G2])],
      deleted: ['shared'],
      fates: { [G1]: 'cascade', [G2]: 'cascade' },
    },
    {
      title: 'keeps a deployment that also serves a gateway held by a non-cascading rule',
      candidates: [cascading(G1), plain(G2)],
      deployments: [deployment('shared', [G1, G2])],
      deleted: [],
      fates: { [G1]: 'held', [G2]: 'held' },
    },
    {
      title: 'follows a chain: a held gateway keeps a deployment, which keeps the next gateway',
      candidates: [cascading(G1), cascading(G2), plain(G3)],
      deployments: [deployment('a', [G1, G2]), deployment('b', [G2, G3])],
      deleted: [],
      fates: { [G1]: 'held', [G2]: 'held', [G3]: 'held' },
    },
    {
      title: 'keeps a deployment that serves a gateway the list does not show',
      candidates: [cascading(G1)],
      deployments: [deployment('a', [G1, G3])],
      deleted: [],
      fates: { [G1]: 'held' },
    },
    {
      title: 'sends no second DELETE for a deployment already deleting',
      candidates: [cascading(G1)],
      deployments: [deployment('a', [G1], 'STATUS_DELETING')],
      deleted: [],
      fates: { [G1]: 'cascade' },
    },
    {
      title: 'keeps a gateway whose only deployment is deleting when its rule does not cascade',
      candidates: [plain(G1)],
      deployments: [deployment('a', [G1], 'STATUS_DELETING')],
      deleted: [],
      fates: { [G1]: 'held' },
    },
    {
      title: 'keeps a deployment whose id the list holds twice, and its gateways',
      candidates: [cascading(G1), cascading(G2)],
      deployments: [deployment('a', [G1]), { ...deployment('a', [G2]) }],
      deleted: [],
      fates: { [G1]: 'held', [G2]: 'held' },
    },
    {
      title: 'matches gateway ids whatever their case',
      candidates: [plain(G1)],
      deployments: [deployment('a', [G1.toUpperCase()])],
      deleted: [],
      fates: { [G1]: 'held' },
    },
  ])('$title', ({ candidates, deployments, deleted, fates }) => {
    // Act
    const plan = planDeployments(candidates, deployments);
    // Assess
    expect(plan.deployments.map((d) => d.name)).toEqual(deleted);
    expect(Object.fromEntries([...plan.fates].map(([id, fate]) => [id, fate.kind]))).toEqual(fates);
  });

  it('names the deployments that hold a gateway back', () => {
    // Prepare
    const deployments = [deployment('a', [G1]), deployment('b', [G1, G2])];
    // Act
    const plan = planDeployments([plain(G1)], deployments);
    // Assess
    expect(plan.fates.get(G1)).toEqual({
      kind: 'held',
      reason: 'has_deployments',
      deployments: [
        { id: depId('a'), name: 'a' },
        { id: depId('b'), name: 'b' },
      ],
    });
  });

  it('never deletes a protected deployment, and keeps its gateways', () => {
    // Prepare
    const deployments = [deployment('prod-chat', [G1])];
    // Act
    const plan = planDeployments([cascading(G1)], deployments, (d) => d.name.startsWith('prod-'));
    // Assess
    expect(plan.deployments).toEqual([]);
    expect(plan.fates.get(G1)?.kind).toBe('held');
  });

  it.each<[string, DeletionCandidate, Deployment[], string]>([
    [
      'a protected deployment, before one without a name',
      cascading(G1),
      [deployment('', [G1]), deployment('prod-chat', [G1])],
      'protected',
    ],
    ['a deployment without a name', cascading(G1), [deployment(' ', [G1])], 'unknown_identity'],
    [
      'a deployment whose id is not a uuid',
      cascading(G1),
      [{ ...deployment('a', [G1]), id: 'dep-a' }],
      'unknown_identity',
    ],
    [
      'no cascade at all, whatever the deployment',
      plain(G1),
      [deployment('prod-chat', [G1])],
      'has_deployments',
    ],
  ])('says why a gateway is held: %s', (_title, candidate, deployments, reason) => {
    // Act
    const plan = planDeployments([candidate], deployments, (d) => d.name.startsWith('prod-'));
    // Assess
    expect(plan.deployments).toEqual([]);
    expect(plan.fates.get(G1)).toMatchObject({ kind: 'held', reason });
  });

  describe('properties', () => {
    const ids = [G1, G2, G3, '44444444-4444-4444-8444-444444444444'];
    const arbitraryDeployment = fc.record({
      id: fc.constantFrom('1', '2', '3', '4', '5').map(depId),
      name: fc.constantFrom('a', 'prod-b', 'c'),
      gatewayIds: fc.subarray(ids),
      status: fc.constantFrom('STATUS_READY' as const, 'STATUS_DELETING' as const),
    });
    const arbitraryCandidates = fc
      .subarray(ids)
      .chain((chosen) =>
        fc.tuple(...chosen.map((id) => fc.boolean().map((cascade) => ({ id, cascade })))),
      );
    const input = fc.record({
      candidates: arbitraryCandidates,
      deployments: fc.array(arbitraryDeployment, { maxLength: 6 }),
      protectProd: fc.boolean(),
    });

    it('never deletes a deployment that references any kept gateway', () => {
      fc.assert(
        fc.property(input, ({ candidates, deployments, protectProd }) => {
          // Act
          const plan = planDeployments(candidates, deployments, (d) =>
            protectProd ? d.name.startsWith('prod-') : false,
          );
          // Assess
          const going = new Set(
            [...plan.fates].filter(([, fate]) => fate.kind !== 'held').map(([id]) => id),
          );
          for (const d of plan.deployments) {
            expect(d.gatewayIds.length).toBeGreaterThan(0);
            for (const id of d.gatewayIds) expect(going.has(id)).toBe(true);
            expect(candidates.find((c) => c.id === d.gatewayIds[0])?.cascade).toBe(true);
            if (protectProd) expect(d.name.startsWith('prod-')).toBe(false);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('lets a gateway go only when every deployment serving it goes or is already deleting', () => {
      fc.assert(
        fc.property(input, ({ candidates, deployments }) => {
          // Act
          const plan = planDeployments(candidates, deployments);
          // Assess
          const deleted = new Set(plan.deployments);
          for (const [id, fate] of plan.fates) {
            if (fate.kind === 'held') continue;
            for (const d of deployments.filter((x) => x.gatewayIds.includes(id))) {
              expect(deleted.has(d) || d.status === 'STATUS_DELETING').toBe(true);
            }
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});
