/** Secret values that flow through the suite and must never appear in any output. */
export const CANARY_TOKEN = 'CW-SECRET-canary-7d1f0c2b9a8e4f63';
export const ROTATED_TOKEN = 'CW-SECRET-canary-rotated-5e2a91c4';
export const CANARY_API_KEY = 'wandb-canary-apikey-3b8c7d6e5f';
export const CANARIES = [CANARY_TOKEN, ROTATED_TOKEN, CANARY_API_KEY] as const;

/** The canaries found in `text`; an empty list means nothing leaked. */
export function leakedCanaries(text: string): string[] {
  return CANARIES.filter((canary) => text.includes(canary));
}
