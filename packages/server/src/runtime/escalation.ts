/**
 * Task escalation: a task still open or claimed at its due time gets its node's `escalate` alert
 * (email, SMS or webhook to a manager), once. One transaction per batch claims overdue tasks
 * (`TaskRepo.overdue`: SKIP LOCKED on PostgreSQL), writes one `alert` outbox row per task with a
 * deterministic idempotency key, notes it on the run's history, and stamps `escalatedAt` — so a
 * crash or a second worker can never alert twice. Tasks whose node asks for no escalation are
 * stamped too (with no alert), so they are not looked at again.
 *
 * The alert renders the escalation's template like an alert node's: the task's customer as
 * `profile`, the run's trigger and the run; the outbox row also carries the task itself
 * (`content.task`), which a webhook escalation posts.
 */
import type { JourneyDefinition } from '@waymark/core';
import type { Clock } from '../clock.ts';
import { newMessage } from '../messages.ts';
import type { MessageRow, RunTraceRow, Store, TaskRow, Tx } from '../storage/store.ts';
import type { DefinitionCache } from './definitions.ts';
import { renderTemplate } from './render.ts';

/** Overdue tasks handled per transaction. */
export const ESCALATION_BATCH = 200;

/** What escalation needs. */
export interface EscalationDeps {
  store: Store;
  clock: Clock;
  definitions: DefinitionCache;
}

/** The idempotency key of a task's escalation alert. */
export function escalationKey(task: Pick<TaskRow, 'idempotencyKey'>): string {
  return `${task.idempotencyKey}:escalate`;
}

/** The task as an escalation alert carries it. */
function taskSummary(t: TaskRow): Record<string, unknown> {
  return {
    id: t.id,
    team: t.team,
    title: t.title,
    description: t.description,
    dueAt: new Date(t.dueAt).toISOString(),
    status: t.status,
    assignee: t.assignee,
  };
}

/**
 * Escalates up to `limit` overdue tasks in one transaction; returns how many tasks it settled
 * (escalated or stamped as needing no escalation). Call until it answers 0.
 */
export async function escalateOverdue(
  deps: EscalationDeps,
  limit: number = ESCALATION_BATCH,
): Promise<number> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const tasks = await tx.tasks.overdue(now, limit);
    const alerts: MessageRow[] = [];
    const trace: RunTraceRow[] = [];
    for (const task of tasks) {
      const alert = await escalationAlert(tx, deps.definitions, task, now);
      if (alert) {
        alerts.push(alert);
        const how = `${alert.channel} to ${alert.recipient ?? '?'}`;
        if (task.runId)
          trace.push({
            workspaceId: task.workspaceId,
            profileId: task.profileId,
            runId: task.runId,
            at: now,
            node: task.nodeId,
            what: 'node',
            detail: `task "${task.title}" for ${task.team} is overdue: escalated by ${how}`,
          });
      }
    }
    // The insert skips a key already written, and the stamp keeps the task from being picked again.
    if (alerts.length) await tx.messages.insert(alerts);
    if (trace.length) await tx.runs.appendTrace(trace);
    for (const task of tasks)
      await tx.tasks.update(task.workspaceId, task.id, { escalatedAt: now, updatedAt: now });
    return tasks.length;
  });
}

/** The alert row of a task's escalation, or null when its node asks for none. */
async function escalationAlert(
  tx: Tx,
  definitions: DefinitionCache,
  task: TaskRow,
  now: number,
): Promise<MessageRow | null> {
  const run = task.runId ? await tx.runs.get(task.workspaceId, task.runId) : null;
  if (!run || !task.nodeId) return null;
  let definition: JourneyDefinition;
  try {
    definition = await definitions.version(tx, task.workspaceId, run.journeyId, run.version);
  } catch {
    return null; // the version is gone: nothing says how to escalate
  }
  const node = definition.nodes[task.nodeId];
  if (node?.type !== 'task' || !node.escalate) return null;
  const { channel, to, template } = node.escalate;
  const message = newMessage(now, {
    workspaceId: task.workspaceId,
    profileId: task.profileId,
    idempotencyKey: escalationKey(task),
    runId: task.runId,
    journeyId: task.journeyId,
    nodeId: task.nodeId,
    kind: 'alert',
    channel,
    recipient: to,
    template,
    content: { task: taskSummary(task) },
  });
  let profile = await tx.profiles.get(task.workspaceId, task.profileId);
  if (profile?.mergedInto) profile = await tx.profiles.get(task.workspaceId, profile.mergedInto);
  const workspace = await tx.workspaces.get(task.workspaceId);
  const trigger = run.state.trigger;
  try {
    const rendered = await renderTemplate(definition, template, {
      profile: { id: task.profileId, traits: profile?.traits ?? {} },
      trigger: trigger ? { name: trigger.name, properties: trigger.properties } : null,
      run: { id: run.id, journeyId: run.journeyId, variant: run.state.variant },
      message: { id: message.id },
      // Staff read it: the workspace's zone, not the customer's.
      timezone: workspace?.timezone ?? 'UTC',
      now,
    });
    message.content = { ...rendered, ...message.content };
  } catch (err) {
    message.status = 'failed';
    message.error = `render failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  return message;
}
