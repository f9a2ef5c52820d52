/**
 * Form links: `{publicUrl}/f/{token}`, with `?q=…&a=…` when the link answers one question (a
 * one-click answer). The token says who answers which form through which message and run, so the
 * hosted page (app/forms-page.ts) needs no lookup to know it.
 */
import { z } from 'zod';
import type { Secrets } from '../secrets.ts';
import { linkRoot } from './base.ts';

/** Purpose of form link tokens (`Secrets.sign('form', payload)`). */
export const FORM_TOKEN_PURPOSE = 'form';

/** What a form link's token carries (short keys: the token is in every message). */
export interface FormToken {
  /** Workspace. */
  w: string;
  /** Profile. */
  p: string;
  /** Form id. */
  f: string;
  /** The message the link was in. */
  m?: string | undefined;
  /** The run that sent it. */
  r?: string | undefined;
}

/** Who a form link is for. */
export interface FormLinkTarget {
  workspaceId: string;
  profileId: string;
  formId: string;
  messageId?: string | undefined;
  runId?: string | undefined;
}

/** A one-click answer carried by a link (`?q=score&a=4`). */
export interface OneClickAnswer {
  question: string;
  value: string;
}

/**
 * The signed link of a form for one recipient: `{publicUrl}/f/{token}`, with `?q=…&a=…` for a
 * one-click answer.
 */
export function formUrl(
  publicUrl: string,
  secrets: Secrets,
  target: FormLinkTarget,
  answer?: OneClickAnswer,
): string {
  const payload: FormToken = { w: target.workspaceId, p: target.profileId, f: target.formId };
  if (target.messageId) payload.m = target.messageId;
  if (target.runId) payload.r = target.runId;
  const base = `${linkRoot(publicUrl)}/f/${secrets.sign(FORM_TOKEN_PURPOSE, payload)}`;
  if (!answer) return base;
  const query = new URLSearchParams({ q: answer.question, a: answer.value });
  return `${base}?${query.toString()}`;
}

const FormTokenPayload = z.object({
  w: z.string().min(1),
  p: z.string().min(1),
  f: z.string().min(1),
  m: z.string().min(1).optional(),
  r: z.string().min(1).optional(),
});

/** The payload of a form link's token, or null when it is forged, malformed or incomplete. */
export function readFormToken(secrets: Secrets, token: string): FormToken | null {
  const parsed = FormTokenPayload.safeParse(secrets.verify(FORM_TOKEN_PURPOSE, token));
  return parsed.success ? parsed.data : null;
}
