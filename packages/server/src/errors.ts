/**
 * The one catalogue of error codes. Errors are born with a code; the HTTP edge maps codes to
 * statuses, the CLI prints them. User errors carry the field path and a hint.
 */
export const ERROR_CODES = {
  invalid_input: 400,
  payload_too_large: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  invalid_journey: 422,
  rate_limited: 429,
  internal: 500,
} as const;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem with the input: where and what. */
export interface ErrorDetail {
  path: string;
  message: string;
  code?: string | undefined;
  hint?: string | undefined;
}

/** An error of the application, with a catalogue code and, for user errors, details per field. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Seconds after which a retry may succeed (`rate_limited`: the `Retry-After` header). */
  readonly retryAfter: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetail[] = [],
    opts: { retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.retryAfter = opts.retryAfter;
  }
  /** HTTP status for this error. */
  get status(): number {
    return ERROR_CODES[this.code];
  }
}
