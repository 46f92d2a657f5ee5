import { describe, expect, it } from 'vitest';
import type { Deployment } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { heldByDeployments, holdForDeployments, planCleanup } from '#core/sweep/plan';
import { aGateway, hoursAgo, NOW, testId } from '#test/fixtures/gateway-builder';
import { deploymentId } from '#test/fixtures/wire-deployment';

const policy = (limits = { maxDeletesPerRun: 25, maxDeletePercent: 100 }) =>
  compilePolicy(
    parsePolicy({
      rules: [
        { id: 'pr', match: { name: 'pr-*' }, maxAge: '72h' },
        { id: 'load', match: { name: 'load-*' }, maxAge: '2d', deleteDeployments: true },
      ],
      protect: { names: ['prod-*'] },
      limits,
    }),
  );
const gateways = [
  aGateway({ id: testId(1), name: 'pr-1', createdAt: hoursAgo(100) }),
  aGateway({ id: testId(2), name: 'load-2', createdAt: hoursAgo(100) }),
  aGateway({ id: testId(3), name: 'load-3', createdAt: hoursAgo(100) }),
  aGateway({ id: testId(4), name: 'pr-4', createdAt: hoursAgo(1) }),
];
const deployment = (id: string, name: string, ids: number[]): Deployment => ({
  id,
  name,
  gatewayIds: ids.map(testId),
  status: 'STATUS_READY',
});

describe('holdForDeployments', () => {
  const plan = (deployments: Deployment[], p = policy()) =>
    holdForDeployments(planCleanup(gateways, p, NOW), deployments, p);

  it('keeps an expired gateway whose rule does not cascade, naming the deployment', () => {
    // Act
    const result = plan([deployment(deploymentId(1), 'serves-pr-1', [1])]);
    // Assess
    expect(heldByDeployments(result).map((e) => [e.gateway.name, e.verdict])).toEqual([
      [
        'pr-1',
        expect.objectContaining({
          action: 'keep',
          reason: 'has_deployments',
          ruleId: 'pr',
          deployments: [{ id: deploymentId(1), name: 'serves-pr-1' }],
        }),
      ],
    ]);
    expect(result.expired.map((e) => e.gateway.name)).toEqual(['load-2', 'load-3']);
  });

  it("plans a cascading gateway's deployment with the rule that took it along", () => {
    // Act
    const result = plan([deployment(deploymentId(2), 'bench-2', [2])]);
    // Assess
    expect(result.deployments).toEqual([
      { deployment: expect.objectContaining({ id: deploymentId(2) }), ruleId: 'load' },
    ]);
    expect(result.expired.find((e) => e.gateway.name === 'load-2')?.verdict.deployments).toEqual([
      { id: deploymentId(2), name: 'bench-2' },
    ]);
  });

  it('keeps a cascading gateway whose deployment is protected by name', () => {
    // Act
    const result = plan([deployment(deploymentId(2), 'prod-bench', [2])]);
    // Assess
    expect(result.deployments).toEqual([]);
    expect(heldByDeployments(result).map((e) => e.gateway.name)).toEqual(['load-2']);
  });

  it('counts planned deployments with the gateways against maxDeletesPerRun', () => {
    // Prepare: 3 gateways would go; with 2 deployments, 5 is over a limit of 4.
    const limited = policy({ maxDeletesPerRun: 4, maxDeletePercent: 100 });
    const deployments = [
      deployment(deploymentId(2), 'bench-2', [2]),
      deployment(deploymentId(3), 'bench-3', [3]),
    ];
    // Act
    const within = plan([], limited);
    const over = plan(deployments, limited);
    // Assess
    expect(within.blastRadius).toMatchObject({ exceeded: false, expired: 3, deployments: 0 });
    expect(over.blastRadius).toMatchObject({ exceeded: true, expired: 3, deployments: 2 });
  });
});
