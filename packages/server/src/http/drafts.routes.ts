/**
 * Journey drafts over HTTP (app/drafts.ts): the editor reads a journey's draft, saves it as it
 * is edited (on the revision it was made on: a stale save answers 409), and publishes it.
 */
import { z } from 'zod';
import { actorOf } from '../app/access.ts';
import { diffVersions, getDraft, publishDraft, saveDraft } from '../app/drafts.ts';
import { getProfile } from '../app/profiles.ts';
import { simulateDocument } from '../simulate.ts';
import { AppError } from '../errors.ts';
import { defineRoute, type AnyRoute } from './route.ts';
import { named } from './schemas.ts';

const ById = z.object({ id: z.string().min(1) });

const Layout = z
  .record(z.string(), z.object({ x: z.number().finite(), y: z.number().finite() }))
  .describe('Canvas positions of the nodes, by node id (kept outside the journey document).');

const Draft = named(
  z.object({
    document: z
      .record(z.string(), z.unknown())
      .describe('The journey document as last saved; it may be incomplete or invalid.'),
    layout: Layout,
    revision: z
      .number()
      .int()
      .describe('Save the next change on this revision; 0: no draft yet (the latest version).'),
    updatedAt: z.number().int().describe('epoch milliseconds'),
    updatedBy: z
      .object({ id: z.string(), email: z.string() })
      .nullable()
      .describe('The user who saved it last; null for the admin token, the system or a version.'),
  }),
  'JourneyDraft',
);

const Change = z.object({
  path: z.string().describe('dotted path of the field'),
  before: z.unknown().describe('absent: the field was added'),
  after: z.unknown().describe('absent: the field was removed'),
});
const EdgeRef = z.object({ from: z.string(), field: z.string(), to: z.string() });
const Diff = named(
  z.object({
    nodes: z.object({
      added: z.array(z.string()),
      removed: z.array(z.string()),
      changed: z.array(z.object({ id: z.string(), fields: z.array(Change) })),
    }),
    edges: z.object({ added: z.array(EdgeRef), removed: z.array(EdgeRef) }),
    other: z.array(Change).describe('changes outside the nodes: trigger, policies, templates…'),
    same: z.boolean(),
  }),
  'JourneyDiff',
);

export const draftRoutes: AnyRoute[] = [
  defineRoute({
    id: 'getJourneyDraft',
    method: 'GET',
    url: '/api/journeys/:id/draft',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: "A journey's draft, or its latest version as revision 0",
    params: ById,
    response: Draft,
    errors: ['not_found'],
    async handler({ deps, workspaceId, params }) {
      const draft = await getDraft(deps, workspaceId, params.id);
      if (!draft)
        throw new AppError('not_found', `journey ${params.id} not found`, [
          { path: 'id', message: 'no such journey or draft' },
        ]);
      return draft;
    },
  }),
  defineRoute({
    id: 'saveJourneyDraft',
    method: 'PUT',
    url: '/api/journeys/:id/draft',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Save the draft of a journey (a new journey starts as a draft)',
    description:
      'Saves on `baseRevision` and answers the next revision. When the draft was saved since ' +
      '(another tab, another person), answers 409 `conflict` naming who and when, and saves nothing.',
    params: ById,
    body: z.object({
      document: z.record(z.string(), z.unknown()),
      layout: Layout.default({}),
      baseRevision: z.number().int().min(0),
    }),
    response: z.object({ revision: z.number().int(), updatedAt: z.number().int() }),
    errors: ['invalid_input', 'conflict'],
    async handler({ deps, workspaceId, params, body, caller }) {
      return saveDraft(deps, workspaceId, params.id, body, actorOf(caller));
    },
  }),
  defineRoute({
    id: 'publishJourneyDraft',
    method: 'POST',
    url: '/api/journeys/:id/draft/publish',
    auth: 'admin',
    role: 'editor',
    tag: 'journeys',
    summary: 'Publish the draft as the next version of the journey',
    description:
      'The draft must be at `revision` and valid (400 `invalid_journey` lists the issues). ' +
      'Running runs stay on their version; an unchanged draft is not versioned again.',
    params: ById,
    body: z.object({
      revision: z.number().int().min(0),
      note: z.string().max(500).optional().describe('What changed, for the audit log.'),
    }),
    response: z.object({
      version: z.number().int(),
      changed: z.boolean().describe('false when the draft equals the published version'),
    }),
    errors: ['invalid_journey', 'conflict', 'not_found'],
    async handler({ deps, workspaceId, params, body, caller }) {
      return publishDraft(deps, workspaceId, params.id, body, actorOf(caller));
    },
  }),
  defineRoute({
    id: 'diffJourney',
    method: 'GET',
    url: '/api/journeys/:id/diff',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'What changed between two versions, or from a version to the draft',
    description:
      'Nodes are matched by id. `to=draft` compares with the draft; `from` defaults to the ' +
      'published version, `to` to the draft.',
    params: ById,
    query: z.object({
      from: z.coerce.number().int().positive().optional(),
      to: z.union([z.literal('draft'), z.coerce.number().int().positive()]).default('draft'),
    }),
    response: Diff,
    errors: ['invalid_input', 'not_found'],
    async handler({ deps, workspaceId, params, query }) {
      return diffVersions(deps, workspaceId, params.id, query.from, query.to);
    },
  }),
  defineRoute({
    id: 'simulateJourney',
    method: 'POST',
    url: '/api/journeys/:id/simulate',
    auth: 'admin',
    role: 'viewer',
    tag: 'journeys',
    summary: 'Simulate the draft (or a document) on a virtual clock, as `waymark simulate` does',
    description:
      'Runs the real engine on a private in-memory store: nothing is sent and nothing of the ' +
      'workspace changes. `script` is a `waymark simulate` script (`start`, `steps`, `until`). ' +
      'With `profile`, that profile of the workspace is copied in (its traits) and steps naming ' +
      'nobody are its; with `traits`, a described profile `simulated` is.',
    params: ById,
    body: z.object({
      document: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('The journey to run; default: the draft (else the latest version).'),
      script: z.record(z.string(), z.unknown()),
      profile: z
        .string()
        .min(1)
        .optional()
        .describe('A profile of the workspace: id, email, phone.'),
      traits: z.record(z.string(), z.unknown()).optional(),
    }),
    response: named(
      z.object({
        profiles: z.array(
          z.object({
            ref: z.string(),
            zone: z.string(),
            route: z.array(
              z.object({
                at: z.number(),
                local: z.string(),
                journey: z.string(),
                node: z.string().nullable(),
                what: z.string(),
                detail: z.string(),
              }),
            ),
            messages: z.array(
              z.object({
                at: z.number(),
                local: z.string(),
                channel: z.string(),
                to: z.string().nullable(),
                status: z.string(),
                node: z.string().nullable(),
                content: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        ),
      }),
      'Simulation',
    ),
    errors: ['invalid_input', 'invalid_journey', 'not_found'],
    async handler({ deps, workspaceId, params, body }) {
      const document = body.document ?? (await getDraft(deps, workspaceId, params.id))?.document;
      if (!document)
        throw new AppError('not_found', `journey ${params.id} not found`, [
          { path: 'id', message: 'no such journey or draft; send the document' },
        ]);
      const profile = body.profile
        ? {
            ref: body.profile,
            traits: (await getProfile(deps, workspaceId, body.profile)).profile.traits,
          }
        : body.traits
          ? { ref: 'simulated', traits: body.traits }
          : undefined;
      return simulateDocument({ ...document, id: params.id }, body.script, profile);
    },
  }),
];
