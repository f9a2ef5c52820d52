/**
 * What alert nodes and task escalations share: a staff notice by webhook goes to an http(s) URL.
 */
import type { Sink } from '../journey/issues.ts';
import { nodeIssue } from '../journey/issues.ts';

const WEBHOOK_URL = /^https?:\/\/[^\s/]+/i;

/** Reports a webhook notice whose `to` is not an http(s) URL (`field` is the path of `to`). */
export function checkNoticeUrl(a: {
  id: string;
  field: string;
  notice: { channel: string; to: string };
  sink: Sink;
}): void {
  if (a.notice.channel !== 'webhook' || WEBHOOK_URL.test(a.notice.to)) return;
  a.sink.error(
    nodeIssue(
      a.id,
      a.field,
      'invalid_url',
      `"${a.notice.to}" is not a webhook URL`,
      'write an http:// or https:// URL',
    ),
  );
}
