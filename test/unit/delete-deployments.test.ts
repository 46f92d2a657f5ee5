import { describe, expect, it } from 'vitest';
import { deleteDeployments, gatewayAfterCascade, refusedWhileDeploymentsGo } from '#core/cascade';
import { ApiError } from '#core/errors';
import type { Deployment } from '#core/model';
import type { DeploymentApi } from '#core/ports';

const http = { status: 200, attempts: 1, durationMs: 1 };
const deployment = (id: string): Deployment => ({
  id,
  name: `name-${id}`,
  gatewayIds: ['g'],
  status: 'STATUS_READY',
});
const apiError = (code: 'API_PERMANENT' | 'API_FORBIDDEN', status: number) =>
  new ApiError(code, {
    method: 'DELETE',
    path: '/x',
    status,
    http: { status, attempts: 1, durationMs: 1 },
  });

/** A DeploymentApi that answers per id from a script and records the order of calls. */
function scriptedApi(script: Record<string, 'ok' | 'gone' | ApiError>) {
  const calls: string[] = [];
  const api: DeploymentApi = {
    listDeployments: () => Promise.resolve({ deployments: [] }),
    deleteDeployment: async (id) => {
      calls.push(id);
      const answer = script[id] ?? 'ok';
      if (answer instanceof ApiError) throw answer;
      if (answer === 'gone') return { kind: 'already_gone', http: { ...http, status: 404 } };
      return {
        kind: 'deleted',
        deployment: { ...deployment(id), status: 'STATUS_DELETING' },
        http,
      };
    },
  };
  return { api, calls };
}

describe('deleteDeployments', () => {
  const run = (api: DeploymentApi, budgetMs = 60_000) => {
    let stop: ApiError | undefined;
    return {
      deps: {
        api,
        deadline: { budgetMs: () => budgetMs },
        concurrency: 1,
        onStop: (error: ApiError) => {
          stop ??= error;
        },
        stopped: () => stop !== undefined,
      },
      stopError: () => stop,
    };
  };

  it('answers one result per deployment: deleted with its final state, already gone, failed', async () => {
    // Prepare
    const { api } = scriptedApi({ b: 'gone', c: apiError('API_PERMANENT', 409) });
    // Act
    const results = await deleteDeployments(
      [deployment('a'), deployment('b'), deployment('c')],
      run(api).deps,
    );
    // Assess
    expect(results.get('a')).toMatchObject({
      kind: 'deleted',
      finalState: { status: 'STATUS_DELETING' },
    });
    expect(results.get('b')?.kind).toBe('already_gone');
    expect(results.get('c')).toMatchObject({ kind: 'failed', http: { status: 409 } });
  });

  it('stops starting deletions after a 403 and says why the rest did not start', async () => {
    // Prepare
    const { api, calls } = scriptedApi({ a: apiError('API_FORBIDDEN', 403) });
    const { deps, stopError } = run(api);
    // Act
    const results = await deleteDeployments([deployment('a'), deployment('b')], deps);
    // Assess
    expect(calls).toEqual(['a']);
    expect(stopError()?.code).toBe('API_FORBIDDEN');
    expect(results.get('b')).toMatchObject({ kind: 'not_started', why: 'run_stopped' });
  });

  it('starts nothing once the deadline has passed', async () => {
    // Prepare
    const { api, calls } = scriptedApi({});
    // Act
    const results = await deleteDeployments([deployment('a')], run(api, 0).deps);
    // Assess
    expect(calls).toEqual([]);
    expect(results.get('a')).toMatchObject({ kind: 'not_started', why: 'deadline' });
  });
});

describe('gatewayAfterCascade', () => {
  const refs = [
    { id: 'a', name: 'name-a' },
    { id: 'b', name: 'name-b' },
  ];

  it.each([
    ['a free gateway goes', { kind: 'free' } as const, {}, 'delete'],
    [
      'a held gateway stays',
      { kind: 'held', reason: 'has_deployments', deployments: refs } as const,
      {},
      'keep',
    ],
    [
      'a cascading gateway goes once each deployment is deleted or already gone',
      { kind: 'cascade', deployments: refs } as const,
      { a: 'deleted', b: 'already_gone' },
      'delete',
    ],
    [
      'a cascading gateway goes when a deployment was already deleting (no result)',
      { kind: 'cascade', deployments: refs } as const,
      { a: 'deleted' },
      'delete',
    ],
    [
      'a cascading gateway stays when one deployment failed',
      { kind: 'cascade', deployments: refs } as const,
      { a: 'deleted', b: 'failed' },
      'keep',
    ],
    [
      'a cascading gateway stays when one deployment did not start',
      { kind: 'cascade', deployments: refs } as const,
      { a: 'not_started', b: 'deleted' },
      'keep',
    ],
  ])('%s', (_title, fate, kinds, action) => {
    // Prepare
    const results = new Map(
      Object.entries(kinds).map(([id, kind]) => [
        id,
        { kind, deployment: deployment(id) } as never,
      ]),
    );
    // Act
    const after = gatewayAfterCascade(fate, results);
    // Assess
    expect(after.action).toBe(action);
    if (after.action === 'keep') expect(after.reason).toBe('has_deployments');
  });
});

describe('refusedWhileDeploymentsGo', () => {
  it.each([
    [apiError('API_PERMANENT', 409), true],
    [apiError('API_PERMANENT', 400), true],
    [apiError('API_PERMANENT', 422), false],
    [apiError('API_FORBIDDEN', 403), false],
    [new Error('boom'), false],
  ])('reads %s as %s', (error, expected) => {
    // Act / Assess
    expect(refusedWhileDeploymentsGo(error)).toBe(expected);
  });
});
