/** Runs over HTTP beyond reading them (admin.routes.ts): taking a profile off a journey. */
import { z } from 'zod';
import { actorOf } from '../app/access.ts';
import { cancelRun } from '../app/profiles.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { RunViewSchema, TraceSchema } from './schemas.ts';

export const runRoutes: AnyRoute[] = [
  defineRoute({
    id: 'cancelRun',
    method: 'POST',
    url: '/api/runs/:id/cancel',
    auth: 'admin',
    role: 'editor',
    tag: 'profiles',
    summary: 'Take a profile off a journey: its run ends now as cancelled',
    description:
      'The run ends through the engine like any step, with who and why in its history and in ' +
      'the audit log: its wait ends and nothing after it is sent (a message already handed to ' +
      'delivery is not recalled). 409 when the run has already ended.',
    params: z.object({ id: z.string().min(1) }),
    body: z.object({ reason: z.string().max(200).optional() }).optional(),
    response: z.object({ run: RunViewSchema, trace: z.array(TraceSchema) }),
    errors: ['not_found', 'conflict'],
    async handler({ deps, workspaceId, params, body, caller }) {
      return cancelRun(deps, workspaceId, params.id, {
        actor: actorOf(caller),
        reason: body?.reason,
      });
    },
  }),
];
