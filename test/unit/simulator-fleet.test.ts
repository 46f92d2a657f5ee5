import { describe, expect, it } from 'vitest';
import { largeFleet, seedFleet } from '#simulator/fleet';
import type { WireGateway } from '#simulator/wire';

const now = new Date('2026-09-01T12:00:00Z');
const DAY = 86_400_000;
const ageDays = (g: WireGateway) => (now.getTime() - Date.parse(g.status?.createdAt ?? '')) / DAY;
const named = (fleet: WireGateway[], prefix: string) =>
  fleet.filter((g) => g.spec.name.startsWith(prefix));

describe('seedFleet', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    // Act
    const first = seedFleet({ seed: 7, now });
    const again = seedFleet({ seed: 7, now });
    const other = seedFleet({ seed: 8, now });
    // Assess
    expect(again).toEqual(first);
    expect(other.map((g) => g.spec.id)).not.toEqual(first.map((g) => g.spec.id));
  });

  it('has 40 gateways by default with unique UUIDs and names within 38 characters', () => {
    // Act
    const fleet = seedFleet({ now });
    // Assess
    expect(fleet).toHaveLength(40);
    expect(new Set(fleet.map((g) => g.spec.id)).size).toBe(40);
    for (const g of fleet) {
      expect(g.spec.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(g.spec.name.length).toBeLessThanOrEqual(38);
      expect(g.spec.organizationId).toBe('a1b2c3');
      expect(['US-EAST-04A', 'US-WEST-04A']).toContain(g.spec.zones?.[0]);
    }
  });

  it('contains every kind the janitor must handle', () => {
    // Act
    const fleet = seedFleet({ seed: 3, now, size: 60 });
    const statuses = fleet.map((g) => g.status?.status);
    // Assess
    const previews = named(fleet, 'pr-');
    expect(Math.min(...previews.map(ageDays).filter(Number.isFinite))).toBeLessThan(1);
    expect(Math.max(...previews.map(ageDays).filter(Number.isFinite))).toBeGreaterThan(14);
    expect(named(fleet, 'loadtest-').length).toBeGreaterThan(0);
    expect(named(fleet, 'exp-').length).toBeGreaterThan(0);
    expect(named(fleet, 'demo-').length).toBeGreaterThan(0);
    expect(named(fleet, 'prod-').every((g) => ageDays(g) > 30)).toBe(true);
    expect(named(fleet, 'prod-').length).toBeGreaterThanOrEqual(2);
    for (const status of [
      'STATUS_FAILED',
      'STATUS_ERROR',
      'STATUS_DELETING',
      'STATUS_CREATING',
      'STATUS_UPDATING',
    ]) {
      expect(statuses).toContain(status);
    }
    expect(fleet.some((g) => g.status?.createdAt === 'not-a-date')).toBe(true);
    expect(fleet.some((g) => g.status?.createdAt === undefined)).toBe(true);
    expect(new Set(fleet.map((g) => g.spec.zones?.[0]))).toEqual(
      new Set(['US-EAST-04A', 'US-WEST-04A']),
    );
  });

  it('has varied auth and routing, a W&B canary apiKey, endpoints and conditions', () => {
    // Act
    const fleet = seedFleet({ now });
    // Assess
    const wandb = fleet.filter((g) => g.spec.weightsAndBiasesAuth);
    expect(wandb).toHaveLength(1);
    expect(wandb[0]?.spec.weightsAndBiasesAuth?.apiKey).toMatch(/^wandb-canary-/);
    expect(wandb[0]?.spec.weightsAndBiasesAuth?.serverUrl).toBeTruthy();
    expect(fleet.some((g) => g.spec.coreWeaveAuth)).toBe(true);
    expect(fleet.some((g) => g.spec.bodyBasedRouting?.apiType === 'API_TYPE_OPENAI')).toBe(true);
    expect(fleet.some((g) => g.spec.headerBasedRouting?.headerName)).toBe(true);
    expect(fleet.some((g) => g.spec.pathBasedRouting)).toBe(true);
    const ready = fleet.filter((g) => g.status?.status === 'STATUS_READY');
    for (const g of ready) {
      expect(g.status?.endpoints?.[0]).toMatch(/^https:\/\/[^/]+\.example\.invalid$/);
      expect(g.status?.conditions?.[0]?.type).toBe('Ready');
    }
  });
});

describe('largeFleet', () => {
  it('makes count bench gateways with the requested expired share', () => {
    // Act
    const fleet = largeFleet({ count: 1000, expiredShare: 0.25, now, seed: 5 });
    // Assess
    expect(fleet).toHaveLength(1000);
    expect(fleet[0]?.spec.name).toBe('bench-0');
    expect(new Set(fleet.map((g) => g.spec.id)).size).toBe(1000);
    const ages = fleet.map(ageDays);
    expect(ages.filter((age) => age > 30)).toHaveLength(250);
    expect(ages.filter((age) => age < 1 / 24)).toHaveLength(750);
  });

  it('is deterministic for a seed', () => {
    // Act, Assess
    expect(largeFleet({ count: 50, expiredShare: 0.5, now, seed: 2 })).toEqual(
      largeFleet({ count: 50, expiredShare: 0.5, now, seed: 2 }),
    );
  });
});
