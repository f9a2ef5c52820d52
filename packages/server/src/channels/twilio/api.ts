/**
 * What the Twilio SMS and voice adapters share: account settings, reading them from the
 * environment, the REST client (Basic auth, form bodies, Twilio's error format), callback URLs
 * under `/hooks/twilio/…`, and verifying the webhooks Twilio sends to them.
 */
import { z } from 'zod';
import {
  afterCrashSetting,
  DefaultCountry,
  HttpClient,
  parseJson,
  statusFailure,
  transportFailure,
  WebhookRejected,
  type HttpResponse,
  type ProviderRequest,
  type SendResult,
} from '../sdk/index.ts';
import { formValue, parseForm, verifyTwilioSignature, type FormParams } from './signature.ts';

/** Twilio's API host; `TWILIO_API_BASE` points elsewhere (tests, Twilio-compatible gateways). */
export const TWILIO_API_BASE = 'https://api.twilio.com';

/** Account settings both Twilio adapters take. */
export const TwilioAccount = z.object({
  /** `AC…` account SID (HTTP Basic user). */
  accountSid: z.string().min(1),
  /** Auth token: HTTP Basic password and the webhook signing key. Secret. */
  authToken: z.string().min(1),
  /** API base URL (scheme, host, port). */
  apiBase: z.url({ protocol: /^https?$/ }).default(TWILIO_API_BASE),
  /** Country national numbers are read in (`PT`); without it numbers need a `+` prefix. */
  defaultCountry: DefaultCountry.optional(),
  /** Most requests per second the delivery engine sends (Twilio's account/number limits). */
  maxPerSecond: z.number().positive().optional(),
  /** Most requests in flight (and pooled connections). */
  maxConcurrency: z.number().int().positive().max(1024).default(64),
  /** Twilio does not drop a repeated request: held as `unknown` by default (at most once). */
  afterCrash: afterCrashSetting('hold'),
});

/** Settings of either Twilio adapter; secret: the auth token. */
export const TWILIO_SECRET_FIELDS = ['authToken'] as const;

/** Common account fields from the environment. */
export function accountFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    accountSid: env.TWILIO_ACCOUNT_SID,
    authToken: env.TWILIO_AUTH_TOKEN,
    ...(env.TWILIO_API_BASE ? { apiBase: env.TWILIO_API_BASE } : {}),
    ...(env.SMS_DEFAULT_COUNTRY ? { defaultCountry: env.SMS_DEFAULT_COUNTRY } : {}),
    ...(env.TWILIO_AFTER_CRASH ? { afterCrash: env.TWILIO_AFTER_CRASH } : {}),
  };
}

/** Environment variable of each account field. */
export const ACCOUNT_ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  apiBase: 'TWILIO_API_BASE',
  defaultCountry: 'SMS_DEFAULT_COUNTRY',
  afterCrash: 'TWILIO_AFTER_CRASH',
};

/** Twilio's error body: `{ code, message, more_info, status }`. */
const TwilioError = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
  more_info: z.string().optional(),
});

/**
 * A created resource: its SID, status and the sender Twilio used (absent while a messaging
 * service is still picking one).
 */
const Created = z.object({
  sid: z.string().min(1),
  status: z.string().optional(),
  from: z.string().nullish(),
});

/** One account's REST client: `POST /2010-04-01/Accounts/{sid}/{resource}.json`. */
export class TwilioApi {
  readonly #client: HttpClient;
  readonly #authorization: string;
  readonly #accountPath: string;
  readonly #now: () => number;

  constructor(account: z.output<typeof TwilioAccount>, now: () => number) {
    this.#client = new HttpClient(account.apiBase, { maxSockets: account.maxConcurrency });
    this.#authorization = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
    this.#accountPath = `/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}`;
    this.#now = now;
  }

  /**
   * Creates a resource (`Messages`, `Calls`). The idempotency key goes in the
   * `I-Twilio-Idempotency-Token` header: Twilio's own name for a request's idempotency token
   * (documented on its webhooks); providers and peers that honour it dedupe retries of a send.
   */
  async create(
    resource: 'Messages' | 'Calls',
    form: URLSearchParams,
    idempotencyKey: string,
    data: Record<string, unknown>,
  ): Promise<SendResult> {
    let response: HttpResponse;
    try {
      response = await this.#client.request({
        method: 'POST',
        path: `${this.#accountPath}/${resource}.json`,
        headers: {
          authorization: this.#authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'i-twilio-idempotency-token': idempotencyKey,
        },
        body: form.toString(),
      });
    } catch (err) {
      return transportFailure('twilio', err);
    }
    const json = parseJson(response.body);
    if (response.status >= 200 && response.status < 300) {
      const created = Created.safeParse(json);
      if (!created.success)
        return {
          kind: 'retryable',
          error: `twilio ${response.status}: answer without a sid: ${response.body.slice(0, 200)}`,
        };
      return {
        kind: 'sent',
        providerMessageId: created.data.sid,
        data: {
          ...data,
          status: created.data.status ?? null,
          // The sender as Twilio reports it wins over the one asked for (`whatsapp:` dropped).
          ...(created.data.from ? { from: created.data.from.replace(/^whatsapp:/, '') } : {}),
        },
      };
    }
    const error = TwilioError.safeParse(json);
    const code = error.success ? error.data.code : undefined;
    const detail = error.success
      ? `${code ?? ''} ${error.data.message ?? ''}`.trim()
      : response.body.slice(0, 200);
    return statusFailure({
      provider: 'twilio',
      response,
      detail: detail || 'no detail',
      now: this.#now(),
      data: { ...data, code: code ?? null, status: response.status },
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.#client.close();
  }
}

/** The URL of a Twilio callback for a message: `/hooks/twilio/{ws}/{channel}/{event}/{id}?key=…`. */
export function callbackUrl(a: {
  publicUrl: string;
  workspaceId: string;
  channel: string;
  event: 'status' | 'answer' | 'dial';
  messageId: string;
  idempotencyKey: string;
  query?: Record<string, string>;
}): string {
  const q = new URLSearchParams({ key: a.idempotencyKey, ...a.query });
  return (
    `${a.publicUrl}/hooks/twilio/${encodeURIComponent(a.workspaceId)}/` +
    `${encodeURIComponent(a.channel)}/${a.event}/${encodeURIComponent(a.messageId)}?${q}`
  );
}

/** A verified Twilio webhook: which callback it is, for which message, with its parameters. */
export interface TwilioHook {
  event: string;
  messageId: string;
  params: FormParams;
}

/**
 * Verifies `X-Twilio-Signature` over the public URL and the form parameters with the account's
 * auth token, checks the account, and reads the event and message id from the path. Throws
 * `WebhookRejected` (403) when unsigned, forged or for another account.
 */
export function verifyHook(
  request: ProviderRequest,
  account: { accountSid: string; authToken: string },
): TwilioHook {
  const contentType = String(request.headers['content-type'] ?? '');
  const params =
    request.rawBody.length > 0 && contentType.startsWith('application/x-www-form-urlencoded')
      ? parseForm(request.rawBody.toString('utf8'))
      : {};
  const header = request.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) throw new WebhookRejected('X-Twilio-Signature header is missing');
  if (!verifyTwilioSignature({ authToken: account.authToken, signature, url: request.url, params }))
    throw new WebhookRejected('X-Twilio-Signature does not match the URL and parameters');
  const sid = formValue(params, 'AccountSid');
  if (sid !== undefined && sid !== account.accountSid)
    throw new WebhookRejected(`AccountSid ${sid} is not this channel's account`);
  const parts = new URL(request.url).pathname.split('/');
  const messageId = decodeURIComponent(parts.at(-1) ?? '');
  const event = parts.at(-2) ?? '';
  if (!messageId) throw new WebhookRejected('no message id in the callback URL', 404);
  return { event, messageId, params };
}
