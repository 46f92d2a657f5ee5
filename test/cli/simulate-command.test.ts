import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { simulateCommand } from '#cli/simulate-command';

const GATEWAYS = '/v1alpha1/inference/gateways';

describe('simulateCommand', () => {
  it('serves deletions that stick and a chosen time to vanish', async () => {
    // Prepare
    let stdout = '';
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const io = {
      out: (text: string) => {
        stdout += text;
      },
      err: () => {},
      progress: false,
      env: {},
    };
    const running = simulateCommand(
      { seed: 42, size: 40, deleteDelay: 1_000, stick: ['pr-1290-failed-build'] },
      io,
      stopped,
    );
    for (let i = 0; i < 50 && !stdout.includes('token:'); i += 1) await sleep(20);
    const url = /URL: +(\S+)/.exec(stdout)?.[1];
    const token = /token: (\S+)/.exec(stdout)?.[1];
    const call = async (path: string, method = 'GET') => {
      const res = await fetch(`${url}${GATEWAYS}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return {
        status: res.status,
        body: (await res.json()) as { items?: unknown; gateway?: unknown },
      };
    };
    const { body: list } = await call('');
    const idOf = (name: string) =>
      (list.items as { spec: { id: string; name: string } }[]).find((g) => g.spec.name === name)
        ?.spec.id;
    const stuckId = idOf('pr-1290-failed-build');
    const goneId = idOf('pr-1301-batching');
    // Act
    await call(`/${stuckId}`, 'DELETE');
    await call(`/${goneId}`, 'DELETE');
    await sleep(1_100);
    const stuck = await call(`/${stuckId}`);
    const gone = await call(`/${goneId}`);
    stop();
    const code = await running;
    // Assess
    expect(stdout).toContain(
      'deleted gateways vanish after 1s; deletions that stick: pr-1290-failed-build',
    );
    expect(stuck.status).toBe(200);
    expect(stuck.body.gateway).toMatchObject({ status: { status: 'STATUS_DELETING' } });
    expect(gone.status).toBe(404);
    expect(code).toBe(0);
  });
});
