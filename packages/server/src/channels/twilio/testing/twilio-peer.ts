/**
 * A local Twilio for tests and benchmarks: a real HTTP server speaking the part of Twilio's REST
 * API Waymark uses (`POST /2010-04-01/Accounts/{sid}/Messages.json` and `Calls.json`, HTTP Basic
 * auth, Twilio's error bodies), recording what it receives, and calling back like Twilio does —
 * message status callbacks, inbound-message webhooks, and a voice call's TwiML fetch, `<Dial>`
 * action and status callback — every callback signed with `X-Twilio-Signature` exactly as Twilio
 * signs it.
 *
 * ```ts
 * const peer = await startTwilioPeer();
 * const adapter = twilioSmsProvider.create(
 *   { accountSid: peer.accountSid, authToken: peer.authToken, apiBase: peer.apiBase, from: '+15005550006', maxConcurrency: 8 },
 *   context,
 * );
 * await adapter.send(message, key);            // peer.messages[0] holds the form fields
 * await peer.sendStatus(peer.messages[0]!.sid, 'delivered');  // signed status callback
 * peer.failNext(TwilioPeer.error(429, 20429, 'Too Many Requests', { 'retry-after': '3' }));
 * await peer.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formValue, parseForm, twilioSignature, type FormParams } from '../signature.ts';
import type {
  CallbackResponse,
  CallScenario,
  PeerCall,
  PeerMessage,
  PeerRequest,
  ScriptedResponse,
  TwilioPeerOptions,
} from './peer-records.ts';
import { readTwiml, type DialInstruction } from './twiml-reader.ts';

export type {
  CallbackResponse,
  CallScenario,
  PeerCall,
  PeerMessage,
  PeerRequest,
  ScriptedResponse,
  TwilioPeerOptions,
} from './peer-records.ts';
export { readTwiml, type DialInstruction } from './twiml-reader.ts';

const DEFAULT_SID = 'AC00000000000000000000000000000000';
const DEFAULT_TOKEN = 'peer_auth_token_0123456789abcdef';

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** A running local Twilio. */
export class TwilioPeer {
  /** Account SID clients authenticate as. */
  readonly accountSid: string;
  /** Auth token: Basic password and signing key. */
  readonly authToken: string;
  /** Messages accepted, oldest first (when recording). */
  readonly messages: PeerMessage[] = [];
  /** Calls accepted, oldest first (when recording). */
  readonly calls: PeerCall[] = [];
  /** API requests received, oldest first (when recording). */
  readonly requests: PeerRequest[] = [];
  /** Errors of automatic callbacks (`autoStatus`). */
  readonly callbackErrors: unknown[] = [];
  /** Resources created, counted even when not recording. */
  readonly counts = { messages: 0, calls: 0, requests: 0 };

  readonly #server: Server;
  readonly #opts: TwilioPeerOptions;
  readonly #scripted: ScriptedResponse[] = [];
  readonly #byToken = new Map<string, unknown>();
  readonly #messagesBySid = new Map<string, PeerMessage>();
  readonly #callsBySid = new Map<string, PeerCall>();
  readonly #pending = new Set<Promise<unknown>>();
  #address = '';

  private constructor(opts: TwilioPeerOptions) {
    this.#opts = opts;
    this.accountSid = opts.accountSid ?? DEFAULT_SID;
    this.authToken = opts.authToken ?? DEFAULT_TOKEN;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const params = parseForm(Buffer.concat(chunks).toString('utf8'));
        const answer = this.#handle(req.method ?? 'GET', req.url ?? '/', req.headers, params);
        if (this.#opts.record !== false)
          this.requests.push({
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            headers: req.headers,
            params,
            status: answer.status,
          });
        if (answer.destroy) {
          req.socket.destroy();
          return;
        }
        const body = JSON.stringify(answer.body ?? {});
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(body);
      });
    });
  }

  /** Starts a peer listening on `host:port`. */
  static async start(opts: TwilioPeerOptions = {}): Promise<TwilioPeer> {
    const peer = new TwilioPeer(opts);
    await new Promise<void>((resolve) =>
      peer.#server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve),
    );
    const a = peer.#server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    peer.#address = `http://${host}:${a.port}`;
    return peer;
  }

  /** A Twilio error answer: `{ code, message, more_info, status }`. */
  static error(
    status: number,
    code: number,
    message: string,
    headers?: Record<string, string>,
  ): ScriptedResponse {
    return {
      status,
      body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
      ...(headers ? { headers } : {}),
    };
  }

  /** The API base URL to configure (`TWILIO_API_BASE`). */
  get apiBase(): string {
    return this.#address;
  }

  /** Answers the next create requests with these, in order (errors, rate limits, drops). */
  failNext(...responses: ScriptedResponse[]): void {
    this.#scripted.push(...responses);
  }

  /** The message with this SID. */
  message(messageSid: string): PeerMessage {
    const m = this.#messagesBySid.get(messageSid);
    if (!m) throw new Error(`the peer has no message ${messageSid}`);
    return m;
  }

  /** The call with this SID. */
  call(callSid: string): PeerCall {
    const c = this.#callsBySid.get(callSid);
    if (!c) throw new Error(`the peer has no call ${callSid}`);
    return c;
  }

  #handle(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    params: FormParams,
  ): ScriptedResponse {
    this.counts.requests += 1;
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(url.split('?')[0]!);
    if (!m || method !== 'POST')
      return TwilioPeer.error(404, 20404, `The requested resource ${url} was not found`);
    if (!this.#authorized(headers.authorization) || decodeURIComponent(m[1]!) !== this.accountSid)
      return TwilioPeer.error(401, 20003, 'Authenticate');
    const scripted = this.#scripted.shift();
    if (scripted) return scripted;
    const token = headers['i-twilio-idempotency-token'];
    const idempotencyToken = typeof token === 'string' ? token : null;
    if (idempotencyToken && this.#opts.honourIdempotencyToken) {
      const prior = this.#byToken.get(`${m[2]}:${idempotencyToken}`);
      if (prior) return { status: 201, body: prior };
    }
    const answer =
      m[2] === 'Messages'
        ? this.#createMessage(params, idempotencyToken)
        : this.#createCall(params, idempotencyToken);
    if (idempotencyToken && answer.status === 201)
      this.#byToken.set(`${m[2]}:${idempotencyToken}`, answer.body);
    return answer;
  }

  #authorized(header: string | undefined): boolean {
    const basic = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
    if (!basic) return false;
    return (
      Buffer.from(basic[1]!, 'base64').toString('utf8') === `${this.accountSid}:${this.authToken}`
    );
  }

  #createMessage(params: FormParams, idempotencyToken: string | null): ScriptedResponse {
    const to = formValue(params, 'To') ?? '';
    const from = formValue(params, 'From') ?? null;
    const service = formValue(params, 'MessagingServiceSid') ?? null;
    const body = formValue(params, 'Body') ?? '';
    if (!to) return TwilioPeer.error(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(to.replace(/^whatsapp:/, '')))
      return TwilioPeer.error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !service)
      return TwilioPeer.error(400, 21603, "A 'From' phone number is required.");
    if (!body) return TwilioPeer.error(400, 21602, 'Message body is required.');
    if (body.length > 1600)
      return TwilioPeer.error(
        400,
        21617,
        'The concatenated message body exceeds the 1600 character limit.',
      );
    const message: PeerMessage = {
      sid: sid('SM'),
      to,
      from,
      messagingServiceSid: service,
      body,
      statusCallback: formValue(params, 'StatusCallback') ?? null,
      status: service ? 'accepted' : 'queued',
      idempotencyToken,
      params,
    };
    this.counts.messages += 1;
    if (this.#opts.record !== false) {
      this.messages.push(message);
      this.#messagesBySid.set(message.sid, message);
    }
    if (this.#opts.autoStatus?.length && message.statusCallback) {
      const statuses = this.#opts.autoStatus;
      this.#track(
        (async () => {
          for (const status of statuses) await this.#messageStatus(message, status);
        })(),
      );
    }
    return {
      status: 201,
      body: {
        sid: message.sid,
        account_sid: this.accountSid,
        api_version: '2010-04-01',
        to,
        from,
        messaging_service_sid: service,
        body,
        status: message.status,
        direction: 'outbound-api',
        num_segments: '1',
        error_code: null,
        error_message: null,
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${message.sid}.json`,
      },
    };
  }

  #createCall(params: FormParams, idempotencyToken: string | null): ScriptedResponse {
    const to = formValue(params, 'To') ?? '';
    const from = formValue(params, 'From') ?? '';
    const url = formValue(params, 'Url') ?? '';
    if (!to) return TwilioPeer.error(400, 21201, "No 'To' number is specified");
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return TwilioPeer.error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return TwilioPeer.error(400, 21213, "No 'From' number is specified");
    if (!url) return TwilioPeer.error(400, 21205, 'Url parameter is required.');
    const call: PeerCall = {
      sid: sid('CA'),
      to,
      from,
      url,
      statusCallback: formValue(params, 'StatusCallback') ?? null,
      status: 'queued',
      idempotencyToken,
      params,
      twiml: null,
    };
    this.counts.calls += 1;
    if (this.#opts.record !== false) {
      this.calls.push(call);
      this.#callsBySid.set(call.sid, call);
    }
    return {
      status: 201,
      body: {
        sid: call.sid,
        account_sid: this.accountSid,
        api_version: '2010-04-01',
        to,
        from,
        status: 'queued',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${call.sid}.json`,
      },
    };
  }

  /**
   * POSTs `params` to `url` as Twilio does: form-encoded, signed with `X-Twilio-Signature` (or
   * with `signWith`'s token; `signWith: null` sends no signature), with an
   * `I-Twilio-Idempotency-Token` header. Inbound-message tests call their webhook URL with this.
   */
  async callback(
    url: string,
    params: Record<string, string>,
    opts: { signWith?: string | null } = {},
  ): Promise<CallbackResponse> {
    const token = opts.signWith === undefined ? this.authToken : opts.signWith;
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
      'user-agent': 'TwilioProxy/1.1',
    };
    if (token !== null) headers['x-twilio-signature'] = twilioSignature(token, url, params);
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  /**
   * Calls a message's StatusCallback with `status` (`sent`, `delivered`, `undelivered`, `failed`,
   * `read`); `extra` adds fields such as `ErrorCode`.
   */
  sendStatus(
    messageSid: string,
    status: string,
    extra: Record<string, string> = {},
    opts: { signWith?: string | null } = {},
  ): Promise<CallbackResponse> {
    return this.#messageStatus(this.message(messageSid), status, extra, opts);
  }

  async #messageStatus(
    m: PeerMessage,
    status: string,
    extra: Record<string, string> = {},
    opts: { signWith?: string | null } = {},
  ): Promise<CallbackResponse> {
    if (!m.statusCallback) throw new Error(`message ${m.sid} has no StatusCallback`);
    m.status = status;
    return this.callback(
      m.statusCallback,
      {
        AccountSid: this.accountSid,
        ApiVersion: '2010-04-01',
        MessageSid: m.sid,
        SmsSid: m.sid,
        MessageStatus: status,
        SmsStatus: status,
        To: m.to,
        From: m.from ?? '',
        ...extra,
      },
      opts,
    );
  }

  #callParams(call: PeerCall, status: string): Record<string, string> {
    return {
      AccountSid: this.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: status,
      Direction: 'outbound-api',
      From: call.from,
      To: call.to,
    };
  }

  /**
   * The callee (contact centre) answers: fetches the call's TwiML from its `Url`, as Twilio does.
   * Returns the TwiML and what it asks for.
   */
  async answerCall(
    callSid: string,
  ): Promise<{ response: CallbackResponse; say: string | null; dial: DialInstruction | null }> {
    const call = this.call(callSid);
    call.status = 'in-progress';
    const response = await this.callback(call.url, this.#callParams(call, 'in-progress'));
    if (response.status === 200) call.twiml = response.body;
    return { response, ...readTwiml(response.body) };
  }

  /**
   * The `<Dial>` of the answered call ends with `dialStatus` (`completed`, `busy`, `no-answer`,
   * `failed`, `canceled`): Twilio posts the result to the Dial's `action`.
   */
  async finishDial(
    callSid: string,
    dialStatus: string,
    durationSeconds = dialStatus === 'completed' ? 42 : 0,
  ): Promise<CallbackResponse> {
    const call = this.call(callSid);
    const dial = call.twiml ? readTwiml(call.twiml).dial : null;
    if (!dial?.action) throw new Error(`call ${callSid} has no answered <Dial action>`);
    return this.callback(dial.action, {
      ...this.#callParams(call, 'in-progress'),
      DialCallSid: sid('CA'),
      DialCallStatus: dialStatus,
      DialCallDuration: String(durationSeconds),
      DialBridged: String(dialStatus === 'completed'),
    });
  }

  /** The call ends with `status` (`completed`, `busy`, `no-answer`, `failed`, `canceled`). */
  async endCall(callSid: string, status: string): Promise<CallbackResponse> {
    const call = this.call(callSid);
    call.status = status;
    if (!call.statusCallback) throw new Error(`call ${callSid} has no StatusCallback`);
    return this.callback(call.statusCallback, {
      ...this.#callParams(call, status),
      CallDuration: String(status === 'completed' ? 60 : 0),
    });
  }

  /**
   * Plays a whole callback call: `bridged` (agent answers, customer answers), `customer-no-answer`
   * / `customer-busy` (agent answers, the customer does not), `agent-no-answer` / `agent-busy`
   * (the centre does not answer), `failed`. Every callback must be answered 200.
   */
  async simulateCall(callSid: string, scenario: CallScenario): Promise<void> {
    const ok = (r: CallbackResponse, what: string) => {
      if (r.status !== 200) throw new Error(`${what} was answered ${r.status}: ${r.body}`);
    };
    switch (scenario) {
      case 'agent-no-answer':
        return ok(await this.endCall(callSid, 'no-answer'), 'status callback');
      case 'agent-busy':
        return ok(await this.endCall(callSid, 'busy'), 'status callback');
      case 'failed':
        return ok(await this.endCall(callSid, 'failed'), 'status callback');
      default: {
        ok((await this.answerCall(callSid)).response, 'TwiML fetch');
        const dialStatus =
          scenario === 'bridged'
            ? 'completed'
            : scenario === 'customer-busy'
              ? 'busy'
              : 'no-answer';
        ok(await this.finishDial(callSid, dialStatus), 'dial action');
        return ok(await this.endCall(callSid, 'completed'), 'status callback');
      }
    }
  }

  #track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.callbackErrors.push(err));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Waits for automatic callbacks in flight. */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  /** Stops listening (after in-flight callbacks). */
  async close(): Promise<void> {
    await this.settled();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.#server.close((err) => (err ? reject(err) : resolve())),
    );
  }
}

/** Starts a local Twilio (see `TwilioPeer`). */
export function startTwilioPeer(opts: TwilioPeerOptions = {}): Promise<TwilioPeer> {
  return TwilioPeer.start(opts);
}
