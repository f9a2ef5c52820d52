/**
 * What the engine does with the commands a step returns (`engine.ts` calls it for each): a send,
 * an alert or a webhook becomes an outbox row (rendered now, so the row holds what goes out), a
 * task a task row, profile and list commands change the batch's profiles, a conversion or a
 * message opens attribution rows. Nothing is written here: everything is collected in the batch
 * and written with the new run states, in one transaction.
 */
import {
  assertNever,
  channelKind,
  Condition,
  countInterest,
  Policies,
  resolveZone,
  withSiteFlag,
  type Command,
  type JourneyDefinition,
  type RunState,
} from '@waymark/core';
import { z } from 'zod';
import { formUrl, unsubscribeUrl } from '../links/index.ts';
import { newId } from '../ids.ts';
import { newMessage } from '../messages.ts';
import type { Secrets } from '../secrets.ts';
import type {
  ConversionRow,
  ConversionWindowRow,
  MessageRow,
  TaskRow,
  Tx,
} from '../storage/store.ts';
import { DELIVERY_SLACK_MS, inRunConversion, windowsOf } from './attribution.ts';
import { readPath, type BatchProfiles } from './batch-profiles.ts';
import { profileZone } from './recipient-zone.ts';
import { recipientLocale, renderTemplate } from './render.ts';

/** What signed links in messages (`{{ unsubscribe_url }}`, forms, tracking) are made with. */
export interface MessageLinks {
  publicUrl: string;
  secrets: Secrets;
}

/** Rows the commands of a batch add, written at its flush. */
export interface BatchWrites {
  messages: MessageRow[];
  tasks: TaskRow[];
  conversions: ConversionRow[];
  windows: ConversionWindowRow[];
}

/** What carrying out a command needs from its batch. */
export interface CommandContext {
  tx: Tx;
  now: number;
  profiles: BatchProfiles;
  writes: BatchWrites;
  /** Default zone of workspaces without their own. */
  workspaceTimezone(workspaceId: string): Promise<string>;
  /** Absent: messages get no signed links. */
  links: MessageLinks | undefined;
}

/**
 * What delivery policies (`policies.ts`) re-check just before a send goes out, carried on the
 * message so delivery needs no journey lookup: the journey's frequency caps of the channel
 * (transactional sends bypass them) and the node's skip condition.
 */
export const SendPolicy = z.looseObject({
  caps: Policies.shape.frequencyCaps.unwrap(),
  skipIf: Condition.optional(),
});
export type SendPolicy = z.infer<typeof SendPolicy>;

/** The `SendPolicy` of a send command of a journey. */
export function sendPolicy(
  definition: JourneyDefinition,
  c: { nodeId: string; channel: string; transactional: boolean },
): SendPolicy {
  const node = definition.nodes[c.nodeId];
  const skipIf = node?.type === 'send' ? node.skipIf : undefined;
  const caps = c.transactional
    ? []
    : (definition.policies.frequencyCaps ?? []).filter((cap) => cap.channel === c.channel);
  return { caps, ...(skipIf ? { skipIf } : {}) };
}

/** Carries out one command of a step of a run of a journey. */
export async function executeCommand(
  ctx: CommandContext,
  a: { workspaceId: string; definition: JourneyDefinition; state: RunState; command: Command },
): Promise<void> {
  const { workspaceId, definition, state, command: c } = a;
  const { now, profiles, writes } = ctx;
  const base = {
    workspaceId,
    profileId: state.profileId,
    runId: state.runId,
    journeyId: state.journeyId,
    version: state.version,
    createdAt: now,
    updatedAt: now,
  };
  switch (c.type) {
    case 'send': {
      const profile = await profiles.get(workspaceId, state.profileId);
      const path = c.to ?? `profile.traits.${channelKind(c.channel)?.addressTrait ?? 'email'}`;
      const recipient = readPath(
        { profile: { id: profile.row.id, traits: profile.row.traits }, trigger: state.trigger },
        path,
      );
      const message = outboxRow(now, {
        ...base,
        key: c.key,
        nodeId: c.nodeId,
        kind: 'message',
        channel: c.channel,
        template: c.template,
      });
      message.content = {
        transactional: c.transactional,
        ...(c.topic ? { topic: c.topic } : {}),
        ...(c.connectTo ? { connectTo: c.connectTo } : {}),
        policy: sendPolicy(definition, c),
      };
      if (typeof recipient !== 'string' || recipient.trim() === '') {
        message.status = 'skipped';
        message.error = `profile has no ${path.replace(/^profile\.traits\./, '')} for ${c.channel}`;
      } else {
        message.recipient = recipient.trim();
        await renderInto(ctx, { message, definition, state, template: c.template });
      }
      writes.messages.push(message);
      // A message opens the run's attribution windows for the journey's goals.
      if (message.status === 'pending')
        writes.windows.push(
          ...windowsOf({ workspaceId, definition, state, now, slackMs: DELIVERY_SLACK_MS }),
        );
      return;
    }
    case 'alert': {
      const message = outboxRow(now, {
        ...base,
        key: c.key,
        nodeId: c.nodeId,
        kind: 'alert',
        channel: c.channel,
        template: c.template,
      });
      message.recipient = c.to;
      await renderInto(ctx, { message, definition, state, template: c.template });
      writes.messages.push(message);
      return;
    }
    case 'webhook': {
      const message = outboxRow(now, {
        ...base,
        key: c.key,
        nodeId: c.nodeId,
        kind: 'webhook',
        channel: 'webhook',
        template: null,
      });
      message.recipient = c.url;
      message.content = { method: c.method, headers: c.headers, body: c.body ?? null };
      writes.messages.push(message);
      return;
    }
    case 'task':
      writes.tasks.push({
        ...base,
        id: newId(now),
        idempotencyKey: c.key,
        nodeId: c.nodeId,
        team: c.team,
        title: c.title,
        description: c.description ?? null,
        dueAt: c.dueAt,
        status: 'open',
        assignee: null,
        outcome: null,
        note: null,
        completedAt: null,
        escalatedAt: null,
      });
      return;
    case 'update_profile':
      await profiles.setTraits(workspaceId, state.profileId, (current) => {
        const traits = { ...current, ...c.set };
        for (const k of c.unset) delete traits[k];
        return traits;
      });
      return;
    case 'interest':
    case 'site_flag':
      // The same pure functions the evaluator used, on the stored row (personalization/).
      await profiles.setTraits(workspaceId, state.profileId, (current) =>
        c.type === 'interest'
          ? countInterest(current, {
              name: c.interest,
              weight: c.weight,
              at: c.at,
              within: c.within,
            }).traits
          : withSiteFlag(current, c.flag, c.value),
      );
      return;
    case 'list':
      await profiles.changeList(workspaceId, state.profileId, { list: c.list, action: c.action });
      return;
    case 'conversion':
      writes.conversions.push(
        await inRunConversion({
          tx: ctx.tx,
          workspaceId,
          definition,
          state,
          match: c,
          event: c.event,
          now,
        }),
      );
      return;
    case 'exit':
      // The control group keeps listening for goals for the attribution window.
      if (c.reason.kind === 'holdout')
        writes.windows.push(...windowsOf({ workspaceId, definition, state, now, slackMs: 0 }));
      return;
    case 'schedule':
    case 'await':
    case 'complete':
      // Reflected in the run's state and history; reports read them from there.
      return;
    default:
      assertNever(c);
  }
}

/** A new outbox row of a command. */
function outboxRow(
  now: number,
  m: {
    workspaceId: string;
    profileId: string;
    runId: string;
    journeyId: string;
    version: number;
    createdAt: number;
    updatedAt: number;
    key: string;
    nodeId: string;
    kind: MessageRow['kind'];
    channel: string;
    template: string | null;
  },
): MessageRow {
  return newMessage(now, {
    workspaceId: m.workspaceId,
    profileId: m.profileId,
    idempotencyKey: m.key,
    runId: m.runId,
    journeyId: m.journeyId,
    version: m.version,
    nodeId: m.nodeId,
    kind: m.kind,
    channel: m.channel,
    template: m.template,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  });
}

/**
 * Renders the message's template into its content, with what the channel adapter needs besides
 * (sender, the signed unsubscribe link of a marketing send); a template that does not render
 * fails the message (`render failed: …`) instead of sending it half-rendered.
 */
async function renderInto(
  ctx: CommandContext,
  a: { message: MessageRow; definition: JourneyDefinition; state: RunState; template: string },
): Promise<void> {
  const { message, definition, state, template } = a;
  const p = ctx.profiles.loaded(message.workspaceId, state.profileId);
  const traits = p?.row.traits ?? {};
  const links = ctx.links;
  const topic = typeof message.content.topic === 'string' ? message.content.topic : undefined;
  const unsubscribe =
    links && message.kind === 'message'
      ? unsubscribeUrl(links.publicUrl, links.secrets, {
          workspaceId: message.workspaceId,
          profileId: message.profileId,
          channel: message.channel,
          topic,
          messageId: message.id,
        })
      : undefined;
  try {
    const workspaceZone = await ctx.workspaceTimezone(message.workspaceId);
    const rendered = await renderTemplate(definition, template, {
      profile: { id: state.profileId, traits },
      trigger: state.trigger
        ? { name: state.trigger.name, properties: state.trigger.properties }
        : null,
      run: { id: state.runId, journeyId: state.journeyId, variant: state.variant },
      message: { id: message.id },
      unsubscribeUrl: unsubscribe,
      // `{{ 'feedback' | form_url }}`: the recipient's signed link to a form (app/forms.ts).
      formUrl: links
        ? (form, answer) =>
            formUrl(
              links.publicUrl,
              links.secrets,
              {
                workspaceId: message.workspaceId,
                profileId: message.profileId,
                formId: form,
                messageId: message.id,
                runId: state.runId,
              },
              answer,
            )
        : undefined,
      // Open pixel and click redirects in the email's HTML, click redirects in an SMS whose
      // template asks for them (links/rewrite.ts).
      ...(links && message.kind === 'message' && channelKind(message.channel)?.tracksLinks
        ? { tracking: { ...links, workspaceId: message.workspaceId, messageId: message.id } }
        : {}),
      timezone: resolveZone(
        profileZone(traits, workspaceZone),
        definition.policies.timezone,
        workspaceZone,
      ),
      locale: recipientLocale(traits),
      now: ctx.now,
    });
    message.content = {
      ...message.content,
      ...rendered,
      ...(unsubscribe !== undefined ? { unsubscribeUrl: unsubscribe } : {}),
    };
  } catch (err) {
    message.status = 'failed';
    message.error = `render failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}
