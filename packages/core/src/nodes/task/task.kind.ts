/**
 * The task node: a task in a team's queue (a call, a follow-up), due after a while; a wait_for
 * `task` awaits its outcome. With `escalate`, staff are told once when it is overdue.
 */
import { nextKey, note } from '../../evaluator/stepping.ts';
import { durationMs } from '../../journey/duration.ts';
import { formatLocal } from '../../time/zones.ts';
import { nextOutput, type NodeKind } from '../kind.ts';
import { checkNoticeUrl } from '../staff-notice.ts';
import { TaskNode } from './task.schema.ts';

/** The task node kind. */
export const taskKind = {
  type: 'task',
  schema: TaskNode,
  label: 'Task',
  help: 'Create a task for a team (a call, a follow-up); a wait-for can await its outcome.',
  icon: 'clipboard-check',
  defaults: { type: 'task', due: 'P1D' },
  waits: false,
  edgesOf: (node) => [{ field: 'next', target: node.next }],
  outputs: nextOutput,
  conditionsOf: () => [],
  // The escalation's template is checked only on a task the schema accepted.
  templatesOf(raw) {
    const escalate = TaskNode.safeParse(raw).data?.escalate;
    return escalate
      ? [
          {
            field: 'escalate.template',
            template: escalate.template,
            channel: escalate.channel,
            by: 'this escalation goes by',
          },
        ]
      : [];
  },
  check(node, { id, sink }) {
    if (node.escalate) checkNoticeUrl({ id, field: 'escalate.to', notice: node.escalate, sink });
  },
  visit(s, id, node) {
    const key = nextKey(s, id);
    s.state.tasks[id] = key;
    const dueAt = s.now + durationMs(node.due);
    s.commands.push({
      type: 'task',
      key,
      nodeId: id,
      team: node.team,
      title: node.title,
      description: node.description,
      dueAt,
    });
    note(s, 'node', `task "${node.title}" for ${node.team}, due ${formatLocal(dueAt, s.zone)}`);
    return node.next;
  },
} satisfies NodeKind<'task'>;
