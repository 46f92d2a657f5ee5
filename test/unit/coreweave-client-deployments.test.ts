import { describe, expect, it } from 'vitest';
import { CoreWeaveClient } from '#adapters/coreweave/client';
import { ApiError } from '#core/errors';
import type { TokenSource } from '#core/ports';
import { CANARY_API_KEY, CANARY_TOKEN } from '#test/support/canaries';
import { useMockAgent } from '#test/support/mock-agent';

const ORIGIN = 'https://api.coreweave.test';
const LIST = '/v1alpha1/inference/deployments';
const DEPLOYMENT_ID = '3d0c9b1e-5a7f-4e2d-8c61-2b9f0a4d7e13';
const GATEWAY_ID = '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa';
const forever = { budgetMs: () => 60_000 };
const tokens: TokenSource = {
  get: () => Promise.resolve(CANARY_TOKEN),
  refresh: () => Promise.resolve(CANARY_TOKEN),
};

/** A deployment as the API documents it, with fields the janitor must never copy. */
const wireDeployment = (status = 'STATUS_READY') => ({
  spec: {
    id: DEPLOYMENT_ID,
    name: 'llama-70b-bench',
    gatewayIds: [GATEWAY_ID],
    runtime: { env: [{ name: 'HF_TOKEN', value: CANARY_API_KEY }] },
    model: { name: 'llama-70b' },
    surprise: { x: 1 },
  },
  status: {
    createdAt: '2026-08-21T15:58:38Z',
    updatedAt: '2026-08-22T03:00:01Z',
    status,
    conditions: [{ type: 'ResourcesApplied', status: 'True' }],
  },
});

describe('CoreWeaveClient deployments', () => {
  const agent = useMockAgent();
  const client = () =>
    new CoreWeaveClient({
      baseUrl: ORIGIN,
      tokens,
      dispatcher: agent(),
      retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
    });
  const pool = () => agent().get(ORIGIN);

  describe('listDeployments', () => {
    it('normalises each deployment to id, name, gatewayIds, status and timestamps only', async () => {
      // Prepare
      pool()
        .intercept({
          path: LIST,
          method: 'GET',
          headers: { authorization: `Bearer ${CANARY_TOKEN}` },
        })
        .reply(200, { items: [wireDeployment()] });
      // Act
      const { deployments } = await client().listDeployments(forever);
      // Assess
      expect(deployments).toEqual([
        {
          id: DEPLOYMENT_ID,
          name: 'llama-70b-bench',
          gatewayIds: [GATEWAY_ID],
          status: 'STATUS_READY',
          createdAt: '2026-08-21T15:58:38Z',
          updatedAt: '2026-08-22T03:00:01Z',
        },
      ]);
      expect(JSON.stringify(deployments)).not.toContain(CANARY_API_KEY);
    });

    it.each([
      ['a missing items as no deployments', {}, []],
      [
        'an omitted gatewayIds as serving no gateway',
        { items: [{ spec: { id: DEPLOYMENT_ID } }] },
        [[]],
      ],
    ])('reads %s', async (_title, body, gatewayIds) => {
      // Prepare
      pool().intercept({ path: LIST, method: 'GET' }).reply(200, body);
      // Act
      const { deployments } = await client().listDeployments(forever);
      // Assess
      expect(deployments.map((d) => d.gatewayIds)).toEqual(gatewayIds);
    });

    it('keeps a numeric status visible as unknown, as for gateways', async () => {
      // Prepare
      const item = { ...wireDeployment(), status: { status: 4 } };
      pool()
        .intercept({ path: LIST, method: 'GET' })
        .reply(200, { items: [item] });
      // Act
      const {
        deployments: [deployment],
      } = await client().listDeployments(forever);
      // Assess
      expect(deployment?.status).toBe('STATUS_UNKNOWN(4)');
    });

    it('answers no deployments on 404, without retrying, and says the list was not found', async () => {
      // Prepare
      pool().intercept({ path: LIST, method: 'GET' }).reply(404, { code: 5, message: 'not found' });
      // Act
      const listed = await client().listDeployments(forever);
      // Assess
      expect(listed).toEqual({ deployments: [], notFound: true });
    });

    it('retries a 503 through the same retry path as gateways', async () => {
      // Prepare
      pool().intercept({ path: LIST, method: 'GET' }).reply(503, 'upstream down');
      pool()
        .intercept({ path: LIST, method: 'GET' })
        .reply(200, { items: [wireDeployment()] });
      // Act
      const listed = await client().listDeployments(forever);
      // Assess
      expect(listed).toEqual({ deployments: [expect.objectContaining({ id: DEPLOYMENT_ID })] });
    });

    it('fails with API_TRANSIENT when the list keeps failing', async () => {
      // Prepare
      pool().intercept({ path: LIST, method: 'GET' }).reply(500, 'boom').times(3);
      // Act
      const error = await client()
        .listDeployments(forever)
        .catch((e: unknown) => e);
      // Assess
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: 'API_TRANSIENT', path: LIST });
    });

    it.each([
      ['an item without an id', { items: [{ spec: { name: 'x', gatewayIds: [GATEWAY_ID] } }] }],
      [
        'gatewayIds that is not a list',
        { items: [{ spec: { id: DEPLOYMENT_ID, gatewayIds: GATEWAY_ID } }] },
      ],
      ['items that is not a list', { items: { spec: { id: DEPLOYMENT_ID } } }],
    ])('refuses the whole list for %s', async (_title, body) => {
      // Prepare
      pool().intercept({ path: LIST, method: 'GET' }).reply(200, body);
      // Act
      const error = await client()
        .listDeployments(forever)
        .catch((e: unknown) => e);
      // Assess
      expect(error).toMatchObject({ code: 'API_BAD_RESPONSE', method: 'GET', path: LIST });
    });
  });

  describe('deleteDeployment', () => {
    const path = `${LIST}/${DEPLOYMENT_ID}`;

    it('returns the final state from DELETE without unknown fields', async () => {
      // Prepare
      pool()
        .intercept({ path, method: 'DELETE' })
        .reply(200, { deployment: wireDeployment('STATUS_DELETING') });
      // Act
      const result = await client().deleteDeployment(DEPLOYMENT_ID, forever);
      // Assess
      expect(result).toMatchObject({
        kind: 'deleted',
        deployment: { id: DEPLOYMENT_ID, name: 'llama-70b-bench', status: 'STATUS_DELETING' },
        http: { status: 200, attempts: 1 },
      });
      expect(JSON.stringify(result)).not.toContain(CANARY_API_KEY);
      expect(JSON.stringify(result)).not.toContain('surprise');
    });

    it('treats 404 as already gone', async () => {
      // Prepare
      pool()
        .intercept({ path, method: 'DELETE' })
        .reply(404, { code: 5, message: 'deployment not found' });
      // Act
      const result = await client().deleteDeployment(DEPLOYMENT_ID, forever);
      // Assess
      expect(result).toEqual({
        kind: 'already_gone',
        http: expect.objectContaining({ status: 404, attempts: 1 }),
      });
    });

    it('retries 429 then answers', async () => {
      // Prepare
      pool()
        .intercept({ path, method: 'DELETE' })
        .reply(429, { code: 8 }, { headers: { 'retry-after': '0' } });
      pool().intercept({ path, method: 'DELETE' }).reply(200, { deployment: wireDeployment() });
      // Act
      const result = await client().deleteDeployment(DEPLOYMENT_ID, forever);
      // Assess
      expect(result).toMatchObject({ kind: 'deleted', http: { attempts: 2 } });
    });

    it('gives up on a permanent 400 with the API message and no token in the error', async () => {
      // Prepare
      pool()
        .intercept({ path, method: 'DELETE' })
        .reply(400, { code: 9, message: `refused for Bearer ${CANARY_TOKEN}` });
      // Act
      const error = await client()
        .deleteDeployment(DEPLOYMENT_ID, forever)
        .catch((e: unknown) => e);
      // Assess
      expect(error).toMatchObject({ code: 'API_PERMANENT', status: 400, path });
      expect(String((error as Error).message)).not.toContain(CANARY_TOKEN);
    });

    it('refuses a deployment id that is not a uuid before building a URL', async () => {
      // Act
      const error = await client()
        .deleteDeployment('../gateways/x', forever)
        .catch((e: unknown) => e);
      // Assess
      expect(error).toMatchObject({
        code: 'API_PERMANENT',
        path: `${LIST}/{id}`,
        http: { attempts: 0 },
      });
    });

    it('refuses a 200 whose body is not a deployment', async () => {
      // Prepare
      pool().intercept({ path, method: 'DELETE' }).reply(200, { gateway: {} });
      // Act
      const error = await client()
        .deleteDeployment(DEPLOYMENT_ID, forever)
        .catch((e: unknown) => e);
      // Assess
      expect(error).toMatchObject({ code: 'API_BAD_RESPONSE' });
    });
  });
});
