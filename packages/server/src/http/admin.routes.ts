/**
 * The admin API under `/api/` (Authorization: Bearer <admin token>): journeys (validate, save,
 * publish, apply, pause, resume, archive, enrol), profiles and their events and runs, lists, the
 * outbox and message outcomes (staff tasks are in tasks.routes.ts). Each route parses its input
 * with zod and calls one use-case.
 */
import { JourneyDocument, MessageOutcomeType, loadJourney, validateJourney } from '@waymark/core';
import { z } from 'zod';
import {
  applyJourney,
  checkJourney,
  getJourney,
  listJourneys,
  publishJourney,
  saveJourney,
  setJourneyStatus,
} from '../app/journeys.ts';
import { changeList, enrol, listOutbox, recordOutcome } from '../app/outbox.ts';
import { receiveInbound } from '../app/inbound.ts';
import {
  getProfile,
  listProfiles,
  profileEvents,
  runHistory,
  searchProfiles,
} from '../app/profiles.ts';
import { AppError } from '../errors.ts';
import { TEXT_TYPES } from './body.ts';
import { actorOf } from '../app/access.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import {
  EventSchema,
  IdentitySchema,
  IssueSchema,
  JourneyRowSchema,
  MessageSchema,
  OkSchema,
  ProfileRowSchema,
  RunViewSchema,
  TraceSchema,
  named,
  page,
} from './schemas.ts';

const Limit = z.coerce.number().int().min(1).max(500).default(50);
const ById = z.object({ id: z.string().min(1) });
const ByRef = z.object({
  ref: z.string().min(1).describe('profile id, userId, or kind:value (email:ana@example.com)'),
});

/** A journey document as a JSON object, or as YAML/JSON text. */
const JourneyInput = z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
  error: 'expected a journey document: a JSON object, or YAML/JSON text',
});
const journeyBodyDoc: Record<string, z.ZodType> = {
  'application/json': JourneyDocument,
  ...Object.fromEntries(
    TEXT_TYPES.map((type) => [type, z.string().describe('the journey document as YAML or JSON')]),
  ),
};

/** Parses and validates a journey body; throws `invalid_journey` (422) naming node and field. */
function journeyFrom(body: z.output<typeof JourneyInput>) {
  return typeof body === 'string' ? checkJourney(body, 'yaml') : checkJourney(body);
}

const JourneyView = z.object({
  journey: JourneyRowSchema,
  versions: z.array(
    z.object({
      version: z.number().int(),
      createdAt: z.number().int(),
      publishedAt: z.number().int().nullable(),
    }),
  ),
  definition: JourneyDocument.nullable().describe('the published version, else the latest'),
});
const JourneyOnly = named(z.object({ journey: JourneyRowSchema }), 'JourneyResponse');
const RunOnly = named(z.object({ run: RunViewSchema }), 'RunResponse');

const JOURNEY_ERRORS = ['invalid_input', 'invalid_journey', 'unauthorized'] as const;

const journeyRoutes: AnyRoute[] = [
  defineRoute({
    id: 'validateJourney',
    method: 'POST',
    url: '/api/journeys/validate',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'Validate a journey document without saving it',
    body: JourneyInput,
    bodyDoc: journeyBodyDoc,
    response: z.object({
      ok: z.literal(true),
      definition: JourneyDocument,
      warnings: z.array(IssueSchema),
    }),
    errors: [...JOURNEY_ERRORS],
    async handler({ body }) {
      const definition = journeyFrom(body);
      const checked = typeof body === 'string' ? loadJourney(body) : validateJourney(body);
      return { ok: true as const, definition, warnings: checked.warnings };
    },
  }),
  defineRoute({
    id: 'saveJourney',
    method: 'POST',
    url: '/api/journeys',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Save a journey document as its next (draft) version',
    body: JourneyInput,
    bodyDoc: journeyBodyDoc,
    status: 201,
    response: z.object({ journey: JourneyRowSchema, version: z.number().int() }),
    errors: [...JOURNEY_ERRORS],
    async handler({ deps, workspaceId, body }) {
      const saved = await saveJourney(deps, workspaceId, journeyFrom(body));
      const { journey } = await getJourney(deps, workspaceId, saved.journeyId);
      return { journey, version: saved.version };
    },
  }),
  defineRoute({
    id: 'listJourneys',
    method: 'GET',
    url: '/api/journeys',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'List journeys',
    response: z.object({ items: z.array(JourneyRowSchema) }),
    async handler({ deps, workspaceId }) {
      return { items: await listJourneys(deps, workspaceId) };
    },
  }),
  defineRoute({
    id: 'getJourney',
    method: 'GET',
    url: '/api/journeys/:id',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'A journey with its versions and its published definition',
    params: ById,
    response: JourneyView,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return getJourney(deps, workspaceId, params.id);
    },
  }),
  defineRoute({
    id: 'applyJourney',
    method: 'PUT',
    url: '/api/journeys/:id',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Apply a journey document: save and publish it (unchanged documents are kept)',
    params: ById,
    body: JourneyInput,
    bodyDoc: journeyBodyDoc,
    response: z.object({
      journey: JourneyRowSchema,
      version: z.number().int(),
      changed: z.boolean().describe('false when the document equals the published version'),
    }),
    errors: [...JOURNEY_ERRORS],
    async handler({ deps, workspaceId, params, body, caller }) {
      const definition = journeyFrom(body);
      if (definition.id !== params.id) {
        throw new AppError(
          'invalid_input',
          `body.id: the document's id "${definition.id}" does not match the URL's "${params.id}"`,
          [
            {
              path: 'body.id',
              message: `expected "${params.id}"`,
              hint: 'PUT the document to /api/journeys/<its id>',
            },
          ],
        );
      }
      return applyJourney(deps, workspaceId, definition, { actor: actorOf(caller) });
    },
  }),
  defineRoute({
    id: 'publishJourney',
    method: 'POST',
    url: '/api/journeys/:id/publish',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Publish a version (default: the latest); running runs stay on their version',
    params: ById,
    body: z.object({ version: z.number().int().positive().optional() }).optional(),
    response: JourneyOnly,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, body, caller }) {
      return {
        journey: await publishJourney(deps, workspaceId, params.id, body?.version, actorOf(caller)),
      };
    },
  }),
  defineRoute({
    id: 'pauseJourney',
    method: 'POST',
    url: '/api/journeys/:id/pause',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Pause a journey: no new entries; running runs go on',
    params: ById,
    response: JourneyOnly,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params, caller }) {
      return {
        journey: await setJourneyStatus(deps, workspaceId, params.id, 'paused', actorOf(caller)),
      };
    },
  }),
  defineRoute({
    id: 'resumeJourney',
    method: 'POST',
    url: '/api/journeys/:id/resume',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Resume a paused journey',
    params: ById,
    response: JourneyOnly,
    errors: ['not_found', 'conflict'],
    async handler({ deps, workspaceId, params, caller }) {
      return {
        journey: await setJourneyStatus(deps, workspaceId, params.id, 'live', actorOf(caller)),
      };
    },
  }),
  defineRoute({
    id: 'archiveJourney',
    method: 'POST',
    url: '/api/journeys/:id/archive',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Archive a journey: no new entries, off the active lists; running runs go on',
    description: 'Resuming an archived journey makes it live again.',
    params: ById,
    response: JourneyOnly,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params, caller }) {
      return {
        journey: await setJourneyStatus(deps, workspaceId, params.id, 'archived', actorOf(caller)),
      };
    },
  }),
  defineRoute({
    id: 'enrolProfile',
    method: 'POST',
    url: '/api/journeys/:id/enrol',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Enrol a profile into a live journey',
    params: ById,
    body: z.object({
      profile: z.string().min(1).describe('profile id, userId, or kind:value'),
      data: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('available to the journey as `run.data`'),
    }),
    status: 201,
    response: RunOnly,
    errors: ['invalid_input', 'not_found', 'conflict'],
    async handler({ deps, workspaceId, params, body }) {
      const run = await enrol(deps, workspaceId, { journeyId: params.id, ...body });
      return { run: (await runHistory(deps, workspaceId, run.id)).run };
    },
  }),
];

const profileRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listProfiles',
    method: 'GET',
    url: '/api/profiles',
    auth: 'admin',
    role: 'viewer',
    tag: 'profiles',
    summary: 'List profiles, a page at a time, or find them by id, userId, email or phone (q)',
    query: z.object({
      limit: Limit,
      cursor: z.string().min(1).optional(),
      q: z.string().max(200).optional().describe('exact id, userId, email or phone'),
    }),
    response: page(ProfileRowSchema),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, query }) {
      if (query.q !== undefined)
        return { items: await searchProfiles(deps, workspaceId, query.q), next: null };
      return listProfiles(deps, workspaceId, query);
    },
  }),
  defineRoute({
    id: 'getProfile',
    method: 'GET',
    url: '/api/profiles/:ref',
    auth: 'admin',
    role: 'viewer',
    tag: 'profiles',
    summary: 'A profile with its identities, lists, and where each of its runs is and why',
    params: ByRef,
    response: z.object({
      profile: ProfileRowSchema,
      identities: z.array(IdentitySchema),
      lists: z.array(z.string()),
      runs: z.array(RunViewSchema),
    }),
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return getProfile(deps, workspaceId, params.ref);
    },
  }),
  defineRoute({
    id: 'listProfileEvents',
    method: 'GET',
    url: '/api/profiles/:ref/events',
    auth: 'admin',
    role: 'viewer',
    tag: 'profiles',
    summary: "A profile's events, newest first",
    params: ByRef,
    query: z.object({
      limit: Limit,
      before: z.coerce.number().int().positive().optional().describe('`next` of the previous page'),
    }),
    response: z.object({ items: z.array(EventSchema), next: z.number().int().nullable() }),
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, query }) {
      const items = await profileEvents(deps, workspaceId, params.ref, {
        limit: query.limit,
        beforeSeq: query.before,
      });
      const last = items.at(-1);
      return { items, next: items.length === query.limit && last ? last.seq : null };
    },
  }),
  defineRoute({
    id: 'getRun',
    method: 'GET',
    url: '/api/runs/:id',
    auth: 'admin',
    role: 'viewer',
    tag: 'profiles',
    summary: 'A run: where it is and why, and its history',
    params: ById,
    response: z.object({ run: RunViewSchema, trace: z.array(TraceSchema) }),
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      return runHistory(deps, workspaceId, params.id);
    },
  }),
];

const listRoutes: AnyRoute[] = [
  defineRoute({
    id: 'addListMember',
    method: 'POST',
    url: '/api/lists/:id/members',
    auth: 'admin',
    role: 'editor',
    tag: 'lists',
    summary: 'Add a profile to a list (the list is created when new)',
    params: ById,
    body: z.object({ profile: z.string().min(1).describe('profile id, userId, or kind:value') }),
    response: OkSchema,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, body }) {
      await changeList(deps, workspaceId, {
        listId: params.id,
        profile: body.profile,
        action: 'add',
      });
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'removeListMember',
    method: 'DELETE',
    url: '/api/lists/:id/members/:ref',
    auth: 'admin',
    role: 'editor',
    tag: 'lists',
    summary: 'Remove a profile from a list',
    params: ById.extend(ByRef.shape),
    response: OkSchema,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      await changeList(deps, workspaceId, {
        listId: params.id,
        profile: params.ref,
        action: 'remove',
      });
      return { ok: true as const };
    },
  }),
];

const outboxRoutes: AnyRoute[] = [
  defineRoute({
    id: 'listOutbox',
    method: 'GET',
    url: '/api/outbox',
    auth: 'admin',
    role: 'viewer',
    tag: 'outbox',
    summary: 'Messages, newest first: channel, recipient, rendered content, run and node, status',
    query: z.object({
      channel: z.string().min(1).optional(),
      profile: z.string().min(1).optional().describe('profile id, userId, or kind:value'),
      run: z.string().min(1).optional(),
      limit: Limit,
      cursor: z.string().min(1).optional(),
    }),
    response: page(MessageSchema),
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, query }) {
      const { run, ...rest } = query;
      return listOutbox(deps, workspaceId, { ...rest, runId: run });
    },
  }),
  defineRoute({
    id: 'recordOutcome',
    method: 'POST',
    url: '/api/messages/:id/outcomes',
    auth: 'admin',
    role: 'editor',
    tag: 'outbox',
    summary: 'Record an outcome of a message (opened, clicked, …); the waiting run moves on',
    description:
      'For tests and dev tools, to simulate what tracking links and provider webhooks report.',
    params: ById,
    body: z.object({
      type: MessageOutcomeType,
      machine: z.boolean().optional().describe('a privacy proxy or scanner, not the person'),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
    response: OkSchema,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, body }) {
      await recordOutcome(deps, workspaceId, { messageId: params.id, ...body });
      return { ok: true as const };
    },
  }),
  defineRoute({
    id: 'receiveInbound',
    method: 'POST',
    url: '/api/inbound',
    auth: 'admin',
    role: 'editor',
    tag: 'outbox',
    summary: 'Receive an inbound message (an SMS to a virtual number) as an event of its sender',
    description:
      'Starts inbound-keyword journeys and reaches waiting runs. Provider webhooks (Twilio) feed ' +
      'the same path; this route is for tests, gateways of your own and dev tools.',
    body: z.object({
      channel: z.enum(['sms', 'whatsapp', 'email']).default('sms'),
      from: z.string().min(1).describe('sender phone number (E.164) or email address'),
      to: z.string().min(1).describe('the number or address written to'),
      body: z.string(),
      messageId: z
        .string()
        .min(1)
        .optional()
        .describe('provider id: a retried delivery is stored once'),
    }),
    response: z.object({ profileId: z.string(), duplicate: z.boolean() }),
    errors: ['invalid_input'],
    async handler({ deps, workspaceId, body }) {
      return receiveInbound(deps, workspaceId, body);
    },
  }),
];

/** The admin API routes. */
export const adminRoutes: AnyRoute[] = [
  ...journeyRoutes,
  ...profileRoutes,
  ...listRoutes,
  ...outboxRoutes,
];
