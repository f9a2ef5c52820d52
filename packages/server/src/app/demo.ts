/**
 * The demo workspace (`waymark start --demo`): every journey of `examples/journeys/` (and every
 * form of `examples/forms/`, when there is one), published into a workspace of its own named
 * `demo`, whose keys are derived from the server's secret key — the same at every start, so they
 * can be printed every time, and stored only as hashes.
 *
 * The demo workspace has no channel configured (the environment configures the default workspace
 * only), so everything its journeys send lands in its dev outbox: webhooks to example.com and
 * emails to example addresses never leave the machine.
 *
 * Loading is idempotent: a journey whose published version equals its file is left alone (even
 * when it was paused since), a form equal to its file is not rewritten. A file that does not
 * validate is reported and skipped; the others still load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { triggerSummary } from '@waymark/core';
import { AppError } from '../errors.ts';
import type { AppDeps } from './deps.ts';
import { parseFormDefinition, putForm } from './forms.ts';
import { applyJourney, checkJourney } from './journeys.ts';
import { ensureWorkspace } from './workspaces.ts';

/** Id of the demo workspace. */
export const DEMO_WORKSPACE = 'demo';

/** The examples folder of the checkout. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../../examples/', import.meta.url));

/** What happened to one example file. */
export interface DemoItem {
  kind: 'journey' | 'form';
  id: string;
  /** Path relative to the examples folder's parent (`examples/journeys/survey.yaml`). */
  file: string;
  /** `published`: a new version went live; `unchanged`: equal to what is stored; `saved`: a form written. */
  result: 'published' | 'unchanged' | 'saved' | 'invalid';
  version?: number;
  /** A journey's trigger in a few words (`event cart_abandoned`). */
  trigger?: string;
  /** Why an invalid file was skipped. */
  error?: string;
}

/** The demo workspace after loading. */
export interface Demo {
  workspaceId: string;
  writeKey: string;
  adminToken: string;
  items: DemoItem[];
  /** A journey the guide's curl line triggers, when one of the examples starts on an event. */
  tryEvent: { journey: string; event: string; properties: Record<string, unknown> } | null;
}

/** Example files of a folder, in name order (`.yaml`, `.yml`, `.json`). */
function filesOf(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => /\.(ya?ml|json)$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Events the guide's curl line may send, best first, with properties their filters accept. */
const TRY_EVENTS: Array<{ event: string; properties: Record<string, unknown> }> = [
  { event: 'cart_abandoned', properties: { items: 2 } },
];

function messageOf(err: unknown): string {
  if (err instanceof AppError && err.details.length)
    return err.details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return err instanceof Error ? err.message : String(err);
}

/**
 * Makes sure the demo workspace exists with its keys, then loads the forms and journeys of the
 * examples folder into it (forms first: journeys link to them).
 */
export async function loadDemo(
  deps: AppDeps,
  opts: { examplesDir?: string; timezone?: string | undefined } = {},
): Promise<Demo> {
  const dir = opts.examplesDir ?? EXAMPLES_DIR;
  const writeKey = `wk_demo_${deps.secrets.derive('demo-write-key')}`;
  const adminToken = `wa_demo_${deps.secrets.derive('demo-admin-token')}`;
  await ensureWorkspace(deps, {
    id: DEMO_WORKSPACE,
    name: 'Demo',
    timezone: opts.timezone,
    writeKey,
    adminToken,
  });
  const shown = (path: string): string => relative(join(dir, '..'), path);
  const items: DemoItem[] = [];

  for (const path of filesOf(join(dir, 'forms'))) {
    const file = shown(path);
    try {
      const definition = parseFormDefinition(readFileSync(path, 'utf8'));
      const stored = await deps.store.forms.get(DEMO_WORKSPACE, definition.id);
      const same =
        stored !== null && JSON.stringify(stored.definition) === JSON.stringify(definition);
      if (!same) await putForm(deps, DEMO_WORKSPACE, definition.id, definition);
      items.push({ kind: 'form', id: definition.id, file, result: same ? 'unchanged' : 'saved' });
    } catch (err) {
      items.push({ kind: 'form', id: '?', file, result: 'invalid', error: messageOf(err) });
    }
  }

  const events = new Set<string>();
  for (const path of filesOf(join(dir, 'journeys'))) {
    const file = shown(path);
    try {
      const definition = checkJourney(
        readFileSync(path, 'utf8'),
        path.endsWith('.json') ? 'json' : 'yaml',
      );
      const r = await applyJourney(deps, DEMO_WORKSPACE, definition, { leavePaused: true });
      if (definition.trigger.type === 'event') events.add(definition.trigger.event);
      items.push({
        kind: 'journey',
        id: definition.id,
        file,
        result: r.changed ? 'published' : 'unchanged',
        version: r.version,
        trigger: triggerSummary(definition.trigger),
      });
    } catch (err) {
      items.push({ kind: 'journey', id: '?', file, result: 'invalid', error: messageOf(err) });
    }
  }

  const journeyOf = (event: string): string =>
    items.find((i) => i.trigger === `event ${event}`)?.id ?? '';
  const known = TRY_EVENTS.find((t) => events.has(t.event));
  const first = [...events][0];
  const tryEvent = known
    ? { journey: journeyOf(known.event), ...known }
    : first
      ? { journey: journeyOf(first), event: first, properties: {} }
      : null;
  return { workspaceId: DEMO_WORKSPACE, writeKey, adminToken, items, tryEvent };
}

/** Quotes a string for a POSIX shell (single quotes). */
function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The demo customer the guide's commands use. */
const DEMO_CUSTOMER = {
  userId: 'demo-ana',
  traits: {
    first_name: 'Ana',
    email: 'ana@example.com',
    phone: '+351912345678',
    timezone: 'Europe/Lisbon',
  },
};

/** What `waymark start --demo` prints: what was loaded and how to try it against `baseUrl`. */
export function demoGuide(demo: Demo, baseUrl: string): string {
  const lines: string[] = [
    `Demo workspace "${demo.workspaceId}": everything its journeys send stays in its outbox (no channel is configured for it).`,
    `  write key:   ${demo.writeKey}`,
    `  admin token: ${demo.adminToken}`,
    'Loaded:',
  ];
  const width = Math.max(...demo.items.map((i) => i.id.length), 0);
  for (const i of demo.items) {
    const what =
      i.result === 'invalid'
        ? `SKIPPED, invalid: ${i.error ?? ''}`
        : i.kind === 'journey'
          ? `${i.result === 'published' ? 'published' : 'unchanged'} (version ${i.version}), on ${i.trigger}`
          : i.result;
    lines.push(`  ${i.kind.padEnd(7)} ${i.id.padEnd(width)}  ${what}  [${i.file}]`);
  }
  const admin = `-H ${sh(`authorization: Bearer ${demo.adminToken}`)}`;
  lines.push('Try it:');
  if (demo.tryEvent) {
    const batch = {
      batch: [
        { type: 'identify', ...DEMO_CUSTOMER },
        {
          type: 'track',
          userId: DEMO_CUSTOMER.userId,
          event: demo.tryEvent.event,
          properties: demo.tryEvent.properties,
        },
      ],
    };
    lines.push(
      `  # Ana does ${demo.tryEvent.event}: journey ${demo.tryEvent.journey} starts`,
      `  curl -s -u ${sh(`${demo.writeKey}:`)} -H 'content-type: application/json' ${baseUrl}/v1/batch -d ${sh(JSON.stringify(batch))}`,
    );
  }
  lines.push(
    '  # the outbox: what the journeys sent her',
    `  curl -s ${admin} ${sh(`${baseUrl}/api/outbox?profile=userId:${DEMO_CUSTOMER.userId}`)}`,
    '  # her profile, and where each of her runs is',
    `  curl -s ${admin} ${baseUrl}/api/profiles/${DEMO_CUSTOMER.userId}`,
    '  # the journeys',
    `  curl -s ${admin} ${baseUrl}/api/journeys`,
  );
  return `${lines.join('\n')}\n`;
}
