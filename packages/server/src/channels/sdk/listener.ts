/**
 * Listeners a provider declares: a server of its own that its provider (or the mail system)
 * calls, outside the HTTP API — the SMTP bounce mailbox of the email provider is one. A listener
 * reads its settings from the environment (none: not started), starts with the server's secrets
 * and a port of services, and closes with the server. The composition root starts every
 * listener of the catalogue the same way, so it names no vendor.
 *
 * A listener identifies the message a notice is about itself (a signed address, a signed token)
 * and tells the server with `notice`. What the notice means is the vendor's to say (`read`); how
 * it is applied is the server's: one notice at a time per message, each outcome once per message.
 */
import type { MessageOutcomeType } from '@waymark/core';
import type { Secrets } from '../../secrets.ts';

/** The outcome a notice records on its message, as its listener reads it. */
export interface NoticeOutcome {
  /**
   * Recorded once per message under this key (`bounced:hard`, `bounced:soft`, `complained`):
   * a notice whose key is already recorded records nothing.
   */
  key: string;
  /** The outcome recorded on the message (`bounced`, `complained`). */
  type: MessageOutcomeType;
  /** Detail worth keeping (status, diagnostic, feedback type). */
  data: Record<string, unknown>;
  /** When set, the message fails with this error (a hard bounce). */
  fails?: { error: string } | undefined;
  /** Keys that make this outcome redundant when recorded (a soft bounce after a hard one). */
  redundantAfter?: readonly string[] | undefined;
}

/** What a listener learnt about one message it identified (its workspace and id verified). */
export interface ProviderNotice {
  workspaceId: string;
  messageId: string;
  /**
   * The outcome to record for the message sent to `recipient` (a report may list several
   * recipients), or null when the notice records nothing (a success notice).
   */
  read(recipient: string | null): NoticeOutcome | null;
}

/** What the server does for a listener. */
export interface ListenerServices {
  /**
   * Applies a notice to its message (nothing when the message is gone); answers the outcomes it
   * recorded (none for a duplicate or a redundant one).
   */
  notice(notice: ProviderNotice): Promise<{ recorded: string[] }>;
}

/** What a listener is started with. */
export interface ListenerContext {
  /** Verifies the signed addresses or tokens that identify messages. */
  secrets: Secrets;
  services: ListenerServices;
}

/** A started listener. */
export interface RunningListener {
  /** The port it listens on (the one configured, or the one chosen for port 0). */
  port: number;
  close(): Promise<void>;
}

/** A listener a provider declares (`ProviderFactory.listener`), typed by its settings. */
export interface ProviderListener<S = unknown> {
  /** Unique in the catalogue (`bounces`); `Waymark.listeners` is keyed by it. */
  readonly name: string;
  /** Settings from environment variables (documented), or null when it is not configured. */
  fromEnv(env: NodeJS.ProcessEnv): S | null;
  /** Starts listening; `settings` is what `fromEnv` read. */
  start(settings: S, context: ListenerContext): Promise<RunningListener>;
}

/** Declares a listener; its `start` is type-checked against the settings its `fromEnv` reads. */
export function defineListener<S>(listener: ProviderListener<S>): ProviderListener<S> {
  return listener;
}
