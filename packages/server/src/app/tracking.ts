/**
 * Email opens and clicks from the tracking links (links/tracking.ts), and the notices of provider
 * listeners (`recordNotice`: bounces and complaints from the email provider's bounce mailbox).
 * Opens and clicks: verifies the signed token, tells machines from people, counts every hit on
 * the message (`content.tracking`) and records the `opened` / `clicked` outcome once per message
 * — the one that moves a waiting run, at once, in the request (engine outcome → index lookup by
 * message).
 *
 * Once per message means: the first human outcome of a type is recorded; a machine one is
 * recorded only while neither kind has been (a journey that ignores machine outcomes still
 * wakes on the person's later open). Later hits are only counted. A click implies an open when
 * none was recorded. Hits on one message are serialised in this process; across a fleet the
 * engine still keeps one outcome of each type per message, only the counters may race.
 *
 * Machine heuristics (documented in docs/channels.md, "Tracking and bounces"):
 * - Apple Mail Privacy Protection prefetches images through Apple's proxies: the user agent is
 *   exactly `Mozilla/5.0`, or the address is in 17.0.0.0/8 (Apple's own block) → machine open.
 * - Gmail's image proxy (`GoogleImageProxy`) fetches when the person opens: a human open,
 *   flagged `proxied`.
 * - Link scanners (Safe Links, Mimecast, Proofpoint, Barracuda…): a HEAD request, a known
 *   scanner or HTTP-library user agent, a click within 10 s of sending, or a third distinct link
 *   of the message clicked within one second → machine click.
 */
import type { ProviderNotice } from '../channels/sdk/index.ts';
import { readClickToken, readOpenToken } from '../links/index.ts';
import type { MessageRow } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';
import { recordOutcome } from './outbox.ts';

/** What the tracking routes know about a hit. */
export interface Hit {
  method: string;
  userAgent: string;
  ip: string;
}

/** Whether a hit came from a machine, and why; `proxied`: a person behind an image proxy. */
export interface Verdict {
  machine: boolean;
  reason?: string;
  proxied?: boolean;
}

/** Clicks sooner than this after the send are a scanner's (people do not click that fast). */
export const SCANNER_DELAY_MS = 10_000;
/** This many distinct links of one message clicked within `BURST_MS` is a scanner. */
export const BURST_LINKS = 3;
/** The burst window. */
export const BURST_MS = 1_000;

const SCANNER_AGENTS =
  /barracuda|mimecast|proofpoint|urldefense|safelinks|forcepoint|symantec|trendmicro|sophos|fortiguard|cisco|ironport|bingpreview|bot\b|crawler|spider|headless|phantomjs|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|curl\/|wget\/|libwww|node-fetch|axios|undici/i;

/** Whether an IPv4 (or IPv4-mapped IPv6) address is in Apple's 17.0.0.0/8. */
function appleAddress(ip: string): boolean {
  return /^(?:::ffff:)?17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip);
}

/** Classifies an open (see the module header). */
export function classifyOpen(hit: Hit): Verdict {
  const ua = hit.userAgent.trim();
  if (ua === 'Mozilla/5.0') return { machine: true, reason: 'apple_mail_privacy' };
  if (appleAddress(hit.ip)) return { machine: true, reason: 'apple_proxy_address' };
  if (/GoogleImageProxy/i.test(ua)) return { machine: false, proxied: true };
  if (ua === '') return { machine: true, reason: 'no_user_agent' };
  if (SCANNER_AGENTS.test(ua)) return { machine: true, reason: 'scanner_user_agent' };
  return { machine: false };
}

/** Classifies a click (see the module header); `recent`: this message's earlier clicks. */
export function classifyClick(a: {
  hit: Hit;
  now: number;
  sentAt: number | null;
  link: number;
  recent: Array<{ at: number; link: number }>;
}): Verdict {
  const ua = a.hit.userAgent.trim();
  if (a.hit.method === 'HEAD') return { machine: true, reason: 'head_request' };
  if (ua === '') return { machine: true, reason: 'no_user_agent' };
  if (SCANNER_AGENTS.test(ua)) return { machine: true, reason: 'scanner_user_agent' };
  if (a.sentAt !== null && a.now - a.sentAt < SCANNER_DELAY_MS)
    return { machine: true, reason: 'clicked_on_arrival' };
  const burst = new Set(a.recent.filter((c) => a.now - c.at < BURST_MS).map((c) => c.link));
  burst.add(a.link);
  if (burst.size >= BURST_LINKS) return { machine: true, reason: 'many_links_at_once' };
  return { machine: false };
}

/** Hits counted on a message (`content.tracking`). */
export interface TrackingCounts {
  opens: number;
  machineOpens: number;
  clicks: number;
  machineClicks: number;
  firstOpenAt?: number;
  lastOpenAt?: number;
  firstClickAt?: number;
  lastClickAt?: number;
  /** Clicks per link index. */
  links: Record<string, number>;
  /** Outcomes recorded: `opened`, `opened:machine`, `clicked`, `clicked:machine`. */
  recorded: string[];
  /** The latest clicks (burst detection). */
  recent: Array<{ at: number; link: number }>;
}

function countsOf(message: MessageRow): TrackingCounts {
  const raw = message.content.tracking as Partial<TrackingCounts> | undefined;
  return {
    opens: raw?.opens ?? 0,
    machineOpens: raw?.machineOpens ?? 0,
    clicks: raw?.clicks ?? 0,
    machineClicks: raw?.machineClicks ?? 0,
    ...(raw?.firstOpenAt !== undefined ? { firstOpenAt: raw.firstOpenAt } : {}),
    ...(raw?.lastOpenAt !== undefined ? { lastOpenAt: raw.lastOpenAt } : {}),
    ...(raw?.firstClickAt !== undefined ? { firstClickAt: raw.firstClickAt } : {}),
    ...(raw?.lastClickAt !== undefined ? { lastClickAt: raw.lastClickAt } : {}),
    links: { ...(raw?.links ?? {}) },
    recorded: [...(raw?.recorded ?? [])],
    recent: [...(raw?.recent ?? [])],
  };
}

/** Whether an outcome of `type` with this verdict is still to be recorded on the message. */
function due(counts: TrackingCounts, type: 'opened' | 'clicked', machine: boolean): boolean {
  if (counts.recorded.includes(type)) return false;
  return !machine || !counts.recorded.includes(`${type}:machine`);
}

// One hit at a time per message in this process (read, record, count, write).
const queues = new Map<string, Promise<unknown>>();

function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

/** What a tracking hit did. */
export interface TrackResult {
  /** False when the token is forged or malformed: nothing was recorded. */
  valid: boolean;
  verdict?: Verdict;
  /** Outcomes recorded by this hit (`opened`, `clicked`), first hits only. */
  recorded: string[];
}

async function record(
  deps: AppDeps,
  message: MessageRow,
  counts: TrackingCounts,
  a: { type: 'opened' | 'clicked'; verdict: Verdict; data: Record<string, unknown> },
): Promise<boolean> {
  if (!due(counts, a.type, a.verdict.machine)) return false;
  const data: Record<string, unknown> = { ...a.data };
  if (a.verdict.reason) data.reason = a.verdict.reason;
  if (a.verdict.proxied) data.proxied = true;
  await recordOutcome(deps, message.workspaceId, {
    messageId: message.id,
    type: a.type,
    ...(a.verdict.machine ? { machine: true } : {}),
    data,
  });
  counts.recorded.push(a.verdict.machine ? `${a.type}:machine` : a.type);
  return true;
}

function countOpen(counts: TrackingCounts, verdict: Verdict, now: number): void {
  if (verdict.machine) counts.machineOpens += 1;
  else counts.opens += 1;
  counts.firstOpenAt ??= now;
  counts.lastOpenAt = now;
}

async function save(deps: AppDeps, message: MessageRow, counts: TrackingCounts): Promise<void> {
  await deps.store.messages.update(message.workspaceId, message.id, {
    content: { ...message.content, tracking: counts },
    updatedAt: deps.clock.now(),
  });
}

/** The message of a verified token, or null. */
async function messageOf(
  deps: AppDeps,
  payload: { w?: unknown; m?: unknown } | null,
): Promise<MessageRow | null> {
  if (!payload || typeof payload.w !== 'string' || typeof payload.m !== 'string') return null;
  return deps.store.messages.get(payload.w, payload.m);
}

/** An open pixel was fetched: `token` from `/t/o/{token}.gif`. */
export async function trackOpen(deps: AppDeps, token: string, hit: Hit): Promise<TrackResult> {
  const payload = readOpenToken(deps.secrets, token);
  if (!payload) return { valid: false, recorded: [] };
  return serialised(payload.m, async () => {
    const message = await messageOf(deps, payload);
    if (!message) return { valid: true, recorded: [] };
    const now = deps.clock.now();
    const verdict = classifyOpen(hit);
    const counts = countsOf(message);
    const recorded: string[] = [];
    if (await record(deps, message, counts, { type: 'opened', verdict, data: {} }))
      recorded.push('opened');
    countOpen(counts, verdict, now);
    await save(deps, message, counts);
    if (recorded.length) deps.notify('outbox');
    return { valid: true, verdict, recorded };
  });
}

/**
 * A click redirect was followed: `token` from `/t/c/{token}`. Answers the URL to redirect to
 * (only ever the signed one), or null when the token is forged or its message is gone.
 */
export async function trackClick(
  deps: AppDeps,
  token: string,
  hit: Hit,
): Promise<TrackResult & { url: string | null }> {
  const payload = readClickToken(deps.secrets, token);
  if (!payload) return { valid: false, recorded: [], url: null };
  // Normalised (non-ASCII percent-encoded): what goes into the Location header.
  const url = new URL(payload.u).href;
  return serialised(payload.m, async () => {
    const message = await messageOf(deps, payload);
    // The link is ours even when its message is gone (purged): it still leads where it said.
    if (!message) return { valid: true, recorded: [], url };
    const now = deps.clock.now();
    const counts = countsOf(message);
    const verdict = classifyClick({
      hit,
      now,
      sentAt: message.sentAt,
      link: payload.i,
      recent: counts.recent,
    });
    const recorded: string[] = [];
    const data = { url, link: payload.i };
    if (await record(deps, message, counts, { type: 'clicked', verdict, data }))
      recorded.push('clicked');
    // A click implies the open the pixel did not report (images blocked).
    if (
      await record(deps, message, counts, {
        type: 'opened',
        verdict,
        data: { impliedByClick: true },
      })
    ) {
      recorded.push('opened');
      countOpen(counts, verdict, now);
    }
    if (verdict.machine) counts.machineClicks += 1;
    else counts.clicks += 1;
    counts.firstClickAt ??= now;
    counts.lastClickAt = now;
    counts.links[String(payload.i)] = (counts.links[String(payload.i)] ?? 0) + 1;
    counts.recent = [...counts.recent, { at: now, link: payload.i }].slice(-10);
    await save(deps, message, counts);
    if (recorded.length) deps.notify('outbox');
    return { valid: true, verdict, recorded, url };
  });
}

/**
 * A notice from a provider's listener about the message it names (identified and verified by the
 * listener: the bounce mailbox's signed VERP address). What it records is the listener's to read
 * (`read(recipient)`); here it is applied: once per message per key, not at all when a key that
 * makes it redundant is recorded (a soft bounce after a hard one), the message failed when the
 * outcome says so (a hard bounce), counted in `content.tracking.recorded`.
 */
export async function recordNotice(
  deps: AppDeps,
  notice: ProviderNotice,
): Promise<{ recorded: string[] }> {
  return serialised(notice.messageId, async () => {
    const message = await deps.store.messages.get(notice.workspaceId, notice.messageId);
    if (!message) return { recorded: [] };
    const outcome = notice.read(message.recipient);
    if (!outcome) return { recorded: [] };
    const counts = countsOf(message);
    const { key, type, data, fails } = outcome;
    if ([key, ...(outcome.redundantAfter ?? [])].some((k) => counts.recorded.includes(k)))
      return { recorded: [] };
    await recordOutcome(deps, message.workspaceId, { messageId: message.id, type, data });
    counts.recorded.push(key);
    await deps.store.messages.update(message.workspaceId, message.id, {
      content: { ...message.content, tracking: counts },
      updatedAt: deps.clock.now(),
      ...(fails ? { status: 'failed' as const, error: fails.error } : {}),
    });
    deps.notify('outbox');
    return { recorded: [type] };
  });
}
