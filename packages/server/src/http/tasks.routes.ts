/**
 * Staff tasks under `/api/tasks` (admin token): list by team, status and overdue; one task with
 * the customer's details; claim; complete with an outcome the journey branches on. Each route
 * parses its input with zod and calls one use-case of app/tasks.ts.
 */
import { z } from 'zod';
import { claimTask, completeTask, getTask, listTasks } from '../app/tasks.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { IdentitySchema, TaskSchema } from './schemas.ts';

const ById = z.object({ id: z.string().min(1) });
const Millis = z.number().int().describe('epoch milliseconds');

/** A task as the API answers it (with its escalation time). */
const TaskView = TaskSchema.extend({
  escalatedAt: Millis.nullable().describe('when the overdue escalation went out; null until then'),
});

/** The customer a task is about. */
const CustomerSchema = z.object({
  profileId: z.string(),
  traits: z.record(z.string(), z.unknown()).describe('name, phone, email and the rest'),
  identities: z.array(IdentitySchema.pick({ kind: true, value: true })),
});

/** `true`/`false` in a query string. */
const QueryFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/** The task routes. */
export const taskRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listTasks',
    method: 'GET',
    url: '/api/tasks',
    auth: 'admin',
    role: 'agent',
    tag: 'tasks',
    summary: 'Tasks for staff, soonest due first, by team, status and overdue',
    query: z.object({
      team: z.string().min(1).optional(),
      status: z.enum(['open', 'claimed', 'done']).optional(),
      overdue: QueryFlag.describe('only tasks not done whose due time has passed'),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
    response: z.object({ items: z.array(TaskView) }),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, query }) {
      return { items: await listTasks(deps, workspaceId, query) };
    },
  }),
  defineRoute({
    id: 'getTask',
    method: 'GET',
    url: '/api/tasks/:id',
    auth: 'admin',
    role: 'agent',
    tag: 'tasks',
    summary: "A task with the customer's details (traits and identities) to call or write",
    params: ById,
    response: z.object({ task: TaskView, customer: CustomerSchema.nullable() }),
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return getTask(deps, workspaceId, params.id);
    },
  }),
  defineRoute({
    id: 'claimTask',
    method: 'POST',
    url: '/api/tasks/:id/claim',
    auth: 'admin',
    role: 'agent',
    tag: 'tasks',
    summary: 'Claim a task; a task claimed by someone else or done is a conflict',
    params: ById,
    body: z.object({ assignee: z.string().min(1).describe('who takes it') }),
    response: z.object({ task: TaskView }),
    errors: ['invalid_input', 'not_found', 'conflict'],
    async handler({ deps, workspaceId, params, body }) {
      return { task: await claimTask(deps, workspaceId, { taskId: params.id, ...body }) };
    },
  }),
  defineRoute({
    id: 'completeTask',
    method: 'POST',
    url: '/api/tasks/:id/complete',
    auth: 'admin',
    role: 'agent',
    tag: 'tasks',
    summary: 'Complete a task with an outcome; the journey branches on it',
    params: ById,
    body: z.object({
      outcome: z.string().min(1).describe('e.g. paid, no_answer, or free text'),
      note: z.string().optional(),
      by: z.string().min(1).optional().describe('who did it (must be the assignee of a claim)'),
    }),
    response: z.object({ task: TaskView }),
    errors: ['invalid_input', 'not_found', 'conflict'],
    async handler({ deps, workspaceId, params, body }) {
      return { task: await completeTask(deps, workspaceId, { taskId: params.id, ...body }) };
    },
  }),
];
