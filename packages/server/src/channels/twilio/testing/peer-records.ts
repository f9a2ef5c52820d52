/**
 * What the local Twilio peer (`twilio-peer.ts`) records and answers: its options, the messages
 * and calls it accepted, the API requests it received, scripted answers, and callback results.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FormParams } from '../signature.ts';

/** Options of `startTwilioPeer`. */
export interface TwilioPeerOptions {
  /** Account SID clients must authenticate as; default a fixed test SID. */
  accountSid?: string;
  /** Auth token: the Basic password and the key callbacks are signed with. */
  authToken?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keep every request and resource in memory (default true; turn off for benchmarks). */
  record?: boolean;
  /**
   * Answer a create whose `I-Twilio-Idempotency-Token` was seen before with the first resource
   * instead of making a new one (default false: Twilio's REST API does not document this).
   */
  honourIdempotencyToken?: boolean;
  /**
   * Message statuses to call back by themselves after each message is created, in order (e.g.
   * `['sent', 'delivered']`), as Twilio would. Failures go to `callbackErrors`.
   */
  autoStatus?: string[];
}

/** A message the peer accepted. */
export interface PeerMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  status: string;
  /** The `I-Twilio-Idempotency-Token` header, if sent. */
  idempotencyToken: string | null;
  /** Every form field as posted. */
  params: FormParams;
}

/** A call the peer accepted (the first leg: to the contact centre). */
export interface PeerCall {
  sid: string;
  to: string;
  from: string;
  /** Where the TwiML is fetched when the callee answers. */
  url: string;
  statusCallback: string | null;
  status: string;
  idempotencyToken: string | null;
  params: FormParams;
  /** The TwiML fetched at answer, once `answerCall` ran. */
  twiml: string | null;
}

/** A request to the API, as received. */
export interface PeerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  params: FormParams;
  /** The status the peer answered. */
  status: number;
}

/** A scripted answer for the next create request (`failNext`). */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection without answering (a network failure). */
  destroy?: boolean;
}

/** What a callback target answered. */
export interface CallbackResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** How a simulated callback call goes (`simulateCall`). */
export type CallScenario =
  'bridged' | 'customer-no-answer' | 'customer-busy' | 'agent-no-answer' | 'agent-busy' | 'failed';
