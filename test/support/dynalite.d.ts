declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** dynalite 4: an in-memory DynamoDB on a plain Node HTTP server (no types of its own). */
  export default function dynalite(options?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    path?: string;
  }): Server;
}
