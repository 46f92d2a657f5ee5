import { describe, expect, it } from 'vitest';
import { buildOwnerNotice, type NoticedGateway } from '#core/audit/notice';
import { testId } from '#test/fixtures/gateway-builder';
import { HOSTILE_VALUES, TERMINAL_CONTROL } from '#test/fixtures/hostile-text';

const AT = Date.parse('2026-12-07T13:00:00Z');
const gateway = (n: number, over: Partial<NoticedGateway> = {}): NoticedGateway => ({
  gatewayId: testId(n),
  name: `pr-${n}`,
  ruleId: 'pr-previews',
  deleteAfter: AT + n,
  ...over,
});
const SNS_LIMIT = 262_144;
/** What the adapter publishes: the text and its chat form in one JSON message structure. */
const published = (text: string, chat: string) =>
  new TextEncoder().encode(JSON.stringify({ default: text, https: chat })).length;

describe('buildOwnerNotice', () => {
  it('names each gateway, what set its time and when it goes, with the commands to keep it', () => {
    // Act
    const notice = buildOwnerNotice('team-a', [
      gateway(1),
      gateway(2, { ruleId: undefined, name: 'leased-2' }),
    ]);
    // Assess
    expect(notice.subject).toBe('gateway-janitor: 2 gateways of team-a to be deleted');
    expect(notice.text).toContain(`- pr-1 (${testId(1)})`);
    expect(notice.text).toContain(
      'set by rule pr-previews; deleted after 2026-12-07T13:00:00.001Z',
    );
    expect(notice.text).toContain(
      `npx gateway-janitor lease set ${testId(1)} --ttl 1d --owner 'team-a'`,
    );
    expect(notice.text).toContain('set by its lease');
    expect(notice.text).toContain(`npx gateway-janitor lease extend ${testId(2)} --by 1d`);
    expect(notice.text).toContain(
      `npx gateway-janitor keep ${testId(2)} --for 7d --reason 'still in use'`,
    );
    expect(notice.named).toEqual([testId(1), testId(2)]);
  });

  it('lists the soonest first and stays under the SNS size limit, saying how many more', () => {
    // Prepare
    const many = Array.from({ length: 3_000 }, (_, n) =>
      gateway(3_000 - n, { name: `pr-${'"'.repeat(60)}-${n}` }),
    );
    // Act
    const notice = buildOwnerNotice('team-a', many);
    // Assess
    expect(notice.named.length).toBeGreaterThan(100);
    expect(notice.named.length).toBeLessThan(3_000);
    expect(notice.named[0]).toBe(testId(1));
    expect(notice.text).toContain(`... and ${3_000 - notice.named.length} more`);
    expect(published(notice.text, notice.chat)).toBeLessThan(SNS_LIMIT - 10_000);
  });

  it('makes names and owners plain: no control, format or line-break characters', () => {
    // Act
    const notices = HOSTILE_VALUES.map((name, n) =>
      buildOwnerNotice(`owner ${name}`, [gateway(n + 1, { name })]),
    );
    // Assess
    for (const notice of notices) {
      expect(notice.text.replaceAll('\n', ' ')).not.toMatch(TERMINAL_CONTROL);
      expect(notice.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
    }
    expect(notices.find((n) => n.text.includes('pr-1?[2J'))).toBeDefined();
  });

  it('quotes an owner for the shell so the printed command runs as written', () => {
    // Act
    const notice = buildOwnerNotice("o'brien team", [gateway(1)]);
    // Assess
    expect(notice.text).toContain(`--owner 'o'\\''brien team'`);
  });

  it('gives chat (AWS Chatbot) a custom notification with the same text', () => {
    // Act
    const notice = buildOwnerNotice('team-a', [gateway(1)]);
    // Assess
    expect(JSON.parse(notice.chat)).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { title: notice.subject, description: notice.text },
    });
  });
});
