/** mulberry32: a tiny seeded PRNG returning floats in [0, 1); enough for fixtures. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** A version-4-shaped UUID drawn from the PRNG, so seeded fleets have stable ids. */
export function uuidFrom(random: () => number): string {
  const hex = [random(), random(), random(), random()].map((r) => hex8(r * 4294967296)).join('');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A cheap UUID-shaped id for bulk fixtures: the seed and a counter, no randomness. */
export function sequentialUuid(seed: number, n: number): string {
  return `${hex8(seed)}-b000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
