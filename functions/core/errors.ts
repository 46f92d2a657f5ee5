/** Stable machine codes for every error the janitor raises; branch on these, never on messages. */
export type JanitorErrorCode =
  | 'CONFIG_INVALID'
  | 'POLICY_INVALID'
  | 'EVENT_INVALID'
  | 'REQUEST_INVALID'
  | 'TOKEN_UNAVAILABLE'
  | ApiErrorCode
  | 'BLAST_RADIUS_EXCEEDED'
  | 'RUN_STOPPED'
  | 'QUEUE_SEND_FAILED'
  | 'LOGS_UNAVAILABLE'
  | 'INPUT_INVALID'
  | 'REGISTRY_UNAVAILABLE'
  | 'REGISTRY_CONFLICT'
  | 'REGISTRY_NOT_FOUND'
  | 'NOTICE_UNPUBLISHED';

/** The codes of a failed API call (ApiError). */
export type ApiErrorCode =
  | 'API_UNAUTHENTICATED'
  | 'API_FORBIDDEN'
  | 'API_PERMANENT'
  | 'API_TRANSIENT'
  | 'API_BAD_RESPONSE'
  | 'DEADLINE_EXCEEDED'
  | 'API_NOT_FOUND';

/** Base of the janitor's error family: a `name`, a stable `code`, an optional `cause`. */
export class JanitorError extends Error {
  readonly code: JanitorErrorCode;

  constructor(code: JanitorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JanitorError';
    this.code = code;
  }
}

/** Bad configuration or input; `field` names the variable, flag or JSON path at fault. */
export class ValidationError extends JanitorError {
  readonly field: string;

  constructor(
    code: 'CONFIG_INVALID' | 'POLICY_INVALID' | 'EVENT_INVALID' | 'INPUT_INVALID',
    field: string,
    message: string,
  ) {
    super(code, `${field}: ${message}`);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/**
 * The registry failed (docs/contract.md "The registry"): unreadable or unwritable
 * (REGISTRY_UNAVAILABLE: nothing is deleted), a write that kept losing races
 * (REGISTRY_CONFLICT), or no lease or item to change (REGISTRY_NOT_FOUND).
 */
export class RegistryError extends JanitorError {
  constructor(
    code: 'REGISTRY_UNAVAILABLE' | 'REGISTRY_CONFLICT' | 'REGISTRY_NOT_FOUND',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'RegistryError';
  }
}

/** What an HTTP exchange with the API cost, as recorded in audit records. */
export interface HttpSummary {
  status?: number;
  attempts: number;
  durationMs: number;
}

/**
 * A failed API call. Carries method, path, HTTP status and the API's own message;
 * never a header or the token (as octokit's request-error redacts authorization).
 */
export class ApiError extends JanitorError {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;
  readonly http: HttpSummary;

  constructor(
    code: ApiErrorCode,
    init: {
      method: string;
      path: string;
      status?: number;
      apiMessage?: string;
      detail?: string;
      http: HttpSummary;
      cause?: unknown;
    },
  ) {
    const status = init.status === undefined ? '' : ` -> ${init.status}`;
    const why = init.apiMessage ?? init.detail ?? 'request failed';
    super(code, `${init.method} ${init.path}${status}: ${why}`, { cause: init.cause });
    this.name = 'ApiError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.http = init.http;
  }

  /** 401 after a token refresh, or 403: no point trying further gateways with this token. */
  get stopsRun(): boolean {
    return this.code === 'API_UNAUTHENTICATED' || this.code === 'API_FORBIDDEN';
  }
}
