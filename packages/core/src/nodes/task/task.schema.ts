/** The task node's schema: a task for a team, and who is told when it is overdue. */
import { z } from 'zod';
import { AlertChannel } from '../../journey/channel.ts';
import { PositiveDuration } from '../../journey/duration.ts';
import { Id, Next } from '../../journey/ids.ts';

/**
 * Who is told, once, when a task is still not done at its due time (a manager alert): like an
 * alert node, outside the recipients' policies. The template sees the task's customer (`profile`),
 * the trigger and the run; a webhook escalation also posts the task itself.
 */
export const TaskEscalation = z
  .strictObject({
    channel: AlertChannel.describe('How staff are told.'),
    /** An email address, a phone number (E.164) or a webhook URL, as `channel` needs. */
    to: z
      .string()
      .min(1)
      .describe('An email address, a phone number (E.164) or a webhook URL, as `channel` needs.'),
    template: Id.describe('The template of the alert.'),
  })
  .describe('Alert staff when the task is still open or claimed at its due time (once).');

/** Create a task for a team (a call, a follow-up); a wait_for with `task` awaits its outcome. */
export const TaskNode = z
  .strictObject({
    type: z.literal('task'),
    team: z
      .string()
      .min(1)
      .describe('The team whose queue gets the task (`GET /api/tasks?team=`).'),
    title: z.string().min(1).describe('Title (a template: `Call {{ profile.traits.name }}`).'),
    description: z.string().optional().describe('Details (a template).'),
    /** Due after this long. */
    due: PositiveDuration.describe('Due this long after it is created.'),
    /** Alert staff when the task is overdue (still open or claimed at its due time). */
    escalate: TaskEscalation.optional(),
    ...Next,
  })
  .describe(
    'Create a task for a team (a call, a follow-up); a wait_for `task` awaits its outcome.',
  );
