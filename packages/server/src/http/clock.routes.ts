/** `GET /api/clock` and `POST /api/clock`: read the server's clock; move a manual one forward. */
import { z } from 'zod';
import { moveClock, readClock, settleWorker } from '../app/clock.ts';
import { defineRoute, type AnyRoute } from './route.ts';

const ClockSchema = z.object({
  now: z.string(),
  epochMs: z.number(),
  kind: z.enum(['system', 'manual']),
});

/** The clock routes. */
export const clockRoutes: AnyRoute[] = [
  defineRoute({
    id: 'getClock',
    method: 'GET',
    url: '/api/clock',
    auth: 'admin',
    role: 'admin',
    tag: 'clock',
    summary: "The server's time, and whether it is a manual clock",
    response: ClockSchema,
    async handler({ deps }) {
      return readClock(deps);
    },
  }),
  defineRoute({
    id: 'moveClock',
    method: 'POST',
    url: '/api/clock',
    auth: 'admin',
    role: 'admin',
    tag: 'clock',
    summary: 'Move a manual clock forward (WAYMARK_CLOCK=manual); what came due runs at once',
    body: z.object({
      advance: z.string().optional(),
      to: z.string().optional(),
      settle: z
        .boolean()
        .optional()
        .describe('when true, answer only once what came due has run (as POST /api/settle)'),
    }),
    response: ClockSchema,
    errors: ['conflict'],
    async handler({ deps, body }) {
      const moved = moveClock(deps, body);
      return body.settle ? settleWorker(deps) : moved;
    },
  }),
  defineRoute({
    id: 'settle',
    method: 'POST',
    url: '/api/settle',
    auth: 'admin',
    role: 'admin',
    tag: 'clock',
    summary:
      'Wait until the worker has applied every event and timer due and sent every message due',
    response: ClockSchema,
    errors: ['conflict'],
    async handler({ deps }) {
      return settleWorker(deps);
    },
  }),
];
