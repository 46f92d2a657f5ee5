import { buildGateway, type GatewayDraft } from './build-gateway.ts';
import { mulberry32, pick, uuidFrom } from './prng.ts';
import type { WireGateway, WireStatusName } from './wire.ts';

export { type LargeFleetOptions, largeFleet } from './large-fleet.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const EAST = 'US-EAST-04A';
const WEST = 'US-WEST-04A';

type Special = Omit<GatewayDraft, 'id' | 'createdAt' | 'updatedAt' | 'zone'> & {
  ageMs: number;
  zone?: string;
  createdAt?: 'not-a-date' | 'missing';
};

const cw = { coreWeaveAuth: {} };
const header = { headerBasedRouting: { headerName: 'X-Model-Name' } };
const path = { pathBasedRouting: {} };
const OPENAI = { apiType: 'API_TYPE_OPENAI' };

/** The kinds every seeded fleet contains, whatever the seed. */
const SPECIALS: Special[] = [
  { name: 'pr-1423-tokenizer-fix', ageMs: 3 * HOUR, status: 'STATUS_READY' },
  { name: 'pr-1398-kv-cache', ageMs: 2 * DAY, status: 'STATUS_READY', routing: header },
  { name: 'pr-1377-streaming', ageMs: 9 * DAY, status: 'STATUS_READY', routing: path },
  { name: 'pr-1301-batching', ageMs: 21 * DAY, status: 'STATUS_READY' },
  { name: 'loadtest-llama-70b', ageMs: 5 * DAY, status: 'STATUS_READY', zone: WEST },
  { name: 'exp-moe-routing', ageMs: 40 * DAY, status: 'STATUS_READY', routing: header },
  { name: 'demo-customer-acme', ageMs: 12 * HOUR, status: 'STATUS_READY', routing: path },
  { name: 'pr-1290-failed-build', ageMs: 6 * DAY, status: 'STATUS_FAILED' },
  { name: 'exp-quant-int4', ageMs: 3 * DAY, status: 'STATUS_ERROR', zone: WEST },
  { name: 'wandb-eval-gw', ageMs: 4 * DAY, status: 'STATUS_READY', routing: header },
  { name: 'prod-chat-east', ageMs: 180 * DAY, status: 'STATUS_READY' },
  { name: 'prod-embed-west', ageMs: 120 * DAY, status: 'STATUS_READY', zone: WEST, routing: path },
  {
    name: 'pr-1255-bad-timestamp',
    ageMs: 15 * DAY,
    status: 'STATUS_READY',
    createdAt: 'not-a-date',
  },
  { name: 'pr-1249-no-timestamp', ageMs: 16 * DAY, status: 'STATUS_READY', createdAt: 'missing' },
  { name: 'pr-1199-teardown', ageMs: 10 * DAY, status: 'STATUS_DELETING' },
  { name: 'pr-1431-new-ui', ageMs: 20 * MINUTE, status: 'STATUS_CREATING' },
  { name: 'loadtest-mistral-7b', ageMs: 8 * DAY, status: 'STATUS_UPDATING', routing: header },
];

const SLUGS = [
  'auth-refactor',
  'retry-budget',
  'spec-decoding',
  'fp8-weights',
  'lora-hot-swap',
  'docs-typo',
  'otel-traces',
  'prefix-cache',
];
const MODELS = ['llama-8b', 'qwen-32b', 'mixtral', 'gemma-27b', 'phi-4'];
const ROUTINGS = [{ bodyBasedRouting: OPENAI }, header, path];
const STATUSES: WireStatusName[] = [
  'STATUS_READY',
  'STATUS_READY',
  'STATUS_READY',
  'STATUS_READY',
  'STATUS_CREATING',
  'STATUS_UPDATING',
];

export type SeedFleetOptions = { seed?: number; now: Date; size?: number };

/**
 * A deterministic, realistic fleet for the demo and tests: PR previews of many ages,
 * load tests, experiments, demos, protected prod-*, FAILED/ERROR, a W&B gateway whose
 * apiKey is a canary, bad and missing createdAt, one already DELETING.
 */
export function seedFleet({ seed = 42, now, size = 40 }: SeedFleetOptions): WireGateway[] {
  const random = mulberry32(seed);
  const at = (ageMs: number) => new Date(now.getTime() - ageMs).toISOString();
  const specials = SPECIALS.map((special): GatewayDraft => {
    const updatedAgo =
      special.status === 'STATUS_DELETING' || special.status === 'STATUS_UPDATING'
        ? 2 * MINUTE
        : special.ageMs - 5 * MINUTE;
    const createdAt =
      special.createdAt === 'missing' ? undefined : (special.createdAt ?? at(special.ageMs));
    const auth = special.name.startsWith('wandb')
      ? {
          weightsAndBiasesAuth: {
            serverUrl: 'https://wandb.example.invalid',
            apiKey: `wandb-canary-${uuidFrom(random).slice(0, 13)}`,
            enableUsageReports: true,
          },
        }
      : cw;
    return {
      ...special,
      id: uuidFrom(random),
      zone: special.zone ?? EAST,
      createdAt,
      updatedAt: at(Math.max(0, updatedAgo)),
      auth,
    };
  });
  const used = new Set(specials.map((draft) => draft.name));
  const fillers: GatewayDraft[] = [];
  while (specials.length + fillers.length < size) {
    const name = fillerName(random);
    if (used.has(name)) continue;
    used.add(name);
    const ageMs = Math.round(HOUR * 840 ** random()); // log-uniform, 1 hour to 35 days
    fillers.push({
      id: uuidFrom(random),
      name,
      zone: random() < 0.6 ? EAST : WEST,
      createdAt: at(ageMs),
      updatedAt: at(Math.round(ageMs * random())),
      status: pick(random, STATUSES),
      auth: cw,
      routing: pick(random, ROUTINGS),
    });
  }
  return [...specials, ...fillers].slice(0, size).map(buildGateway);
}

function fillerName(random: () => number): string {
  const roll = random();
  if (roll < 0.6) return `pr-${1000 + Math.floor(random() * 900)}-${pick(random, SLUGS)}`;
  if (roll < 0.75) return `loadtest-${pick(random, MODELS)}-${Math.floor(random() * 100)}`;
  if (roll < 0.9) return `exp-${pick(random, SLUGS)}-${Math.floor(random() * 100)}`;
  return `demo-${pick(random, MODELS)}-${Math.floor(random() * 100)}`;
}
