/**
 * The time-travel simulator behind `waymark simulate`: runs the real engine on an in-memory store
 * with a manual clock, feeds it a scripted list of events (and outcomes, task results), jumps the
 * clock from one due time to the next, and reports each profile's route with virtual timestamps
 * and the messages it would get.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { ingest } from './app/ingest.ts';
import { applyJourney, checkJourney } from './app/journeys.ts';
import { listOutbox, recordOutcome } from './app/outbox.ts';
import { completeTask, listTasks } from './app/tasks.ts';
import { findProfileId, getProfile, runHistory } from './app/profiles.ts';
import { parseCall, type CallType } from './app/segment.ts';
import { DEFAULT_WORKSPACE } from './app/workspaces.ts';
import { ManualClock } from './clock.ts';
import { configFromEnv } from './config.ts';
import { AppError } from './errors.ts';
import { parseDuration, type JourneyDefinition } from '@waymark/core';
import { createWaymark } from './waymark.ts';

const When = z.union([z.iso.datetime({ offset: true }), z.iso.datetime({ local: true })]);

const ScriptStep = z
  .object({
    /** Absolute virtual time. */
    at: When.optional(),
    /** Or relative to the previous step (or the start): "2h", "P1D". */
    after: z.string().optional(),
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    track: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    identify: z.record(z.string(), z.unknown()).optional(),
    page: z.string().optional(),
    /** An outcome of the latest message sent to the profile (by `node` when given). */
    outcome: z.string().optional(),
    node: z.string().optional(),
    machine: z.boolean().optional(),
    /** Completes the profile's open task. */
    task: z.object({ outcome: z.string(), note: z.string().optional() }).optional(),
  })
  .refine(
    (s) =>
      [s.track, s.identify, s.page, s.outcome, s.task].filter((x) => x !== undefined).length === 1,
    {
      message: 'each step needs exactly one of track, identify, page, outcome, task',
    },
  )
  .refine((s) => s.userId || s.anonymousId, { message: 'each step needs userId or anonymousId' });

/** A simulation script. */
export const Script = z.object({
  /** Where the virtual clock starts. */
  start: When,
  /** Time zone of the workspace (recipients without a zone). */
  timezone: z.string().default('UTC'),
  steps: z.array(ScriptStep).min(1),
  /** Where the simulation stops; default: 60 days after the last step. */
  until: When.optional(),
});
/** A simulation script (input). */
export type ScriptInput = z.input<typeof Script>;

/** A line of a profile's route. */
export interface RouteLine {
  at: number;
  /** Local time in the profile's zone. */
  local: string;
  journey: string;
  node: string | null;
  what: string;
  detail: string;
}

/** What a profile would get. */
export interface SimMessage {
  at: number;
  local: string;
  channel: string;
  to: string | null;
  status: string;
  node: string | null;
  content: Record<string, unknown>;
}

/** The result of a simulation, per profile. */
export interface SimulationResult {
  profiles: Array<{ ref: string; zone: string; route: RouteLine[]; messages: SimMessage[] }>;
}

function fail(path: string, message: string): never {
  throw new AppError('invalid_input', `${path}: ${message}`, [{ path, message }]);
}

function parseScriptText(text: string): z.infer<typeof Script> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    fail('events', `not valid YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // A bare list of steps is accepted too; it then needs `at` on its first step.
  if (Array.isArray(raw)) {
    const first = raw[0] as { at?: unknown } | undefined;
    raw = { start: typeof first?.at === 'string' ? first.at : undefined, steps: raw };
  }
  return checkScript(raw, 'events');
}

/** A script checked against `Script`; an error names its field under `root`. */
function checkScript(raw: unknown, root: string): z.infer<typeof Script> {
  const parsed = Script.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    fail([root, ...i.path.map(String)].join('.'), i.message);
  }
  return parsed.data;
}

const MAX_JUMPS = 100_000;

/** Runs a journey (YAML or JSON text) against a script (YAML or JSON text) on a virtual clock. */
export async function simulate(journeyText: string, scriptText: string): Promise<SimulationResult> {
  return run(checkJourney(journeyText), parseScriptText(scriptText));
}

/** A profile a simulation starts from: its reference and traits (a real one's, or described). */
export interface SimulatedProfile {
  ref: string;
  traits: Record<string, unknown>;
}

/**
 * Runs a journey document (an object: a draft, a version) against a script given as data. With
 * `profile`, the profile is identified with its traits when the clock starts, and steps that name
 * nobody are that profile's.
 */
export async function simulateDocument(
  document: unknown,
  script: unknown,
  profile?: SimulatedProfile,
): Promise<SimulationResult> {
  const definition = checkJourney(document);
  let raw = script;
  if (
    profile &&
    typeof raw === 'object' &&
    raw !== null &&
    Array.isArray((raw as { steps?: unknown }).steps)
  ) {
    const given = raw as { start?: unknown; steps: unknown[] };
    const steps = given.steps.map((step) =>
      typeof step === 'object' && step !== null && !('userId' in step) && !('anonymousId' in step)
        ? { ...step, userId: profile.ref }
        : step,
    );
    const at = typeof given.start === 'string' ? given.start : undefined;
    raw = { ...given, steps: [{ at, userId: profile.ref, identify: profile.traits }, ...steps] };
  }
  return run(definition, checkScript(raw, 'script'));
}

/** Runs a checked journey against a parsed script. */
async function run(
  definition: JourneyDefinition,
  script: z.infer<typeof Script>,
): Promise<SimulationResult> {
  const start = Date.parse(script.start);
  const clock = new ManualClock(start);
  const wm = await createWaymark(
    configFromEnv(
      {},
      { databaseUrl: 'sqlite::memory:', role: 'worker', timezone: script.timezone },
    ),
    {
      clock,
    },
  );
  try {
    const deps = wm.deps;
    const ws = DEFAULT_WORKSPACE;
    await applyJourney(deps, ws, definition);
    // Resolve step times.
    let cursor = start;
    const timed = script.steps.map((s, i) => {
      let at = cursor;
      if (s.at) at = Date.parse(s.at);
      else if (s.after) {
        const ms = parseDuration(s.after);
        if (ms === null || ms < 0)
          fail(`events.steps.${i}.after`, 'expected a duration such as "2h" or "P1D"');
        at = cursor + ms;
      }
      if (at < cursor) fail(`events.steps.${i}.at`, 'steps must be in time order');
      cursor = at;
      return { step: s, at, index: i };
    });
    const until = script.until ? Date.parse(script.until) : cursor + 60 * 86_400_000;
    const refs = new Set<string>();

    const runUntil = async (t: number): Promise<void> => {
      for (let i = 0; i < MAX_JUMPS; i += 1) {
        await wm.worker.drain();
        const next = await wm.engine.nextDue();
        if (next === null || next > t) break;
        clock.set(next);
      }
      clock.set(t);
      await wm.worker.drain();
    };

    for (const { step, at, index } of timed) {
      await runUntil(at);
      const ref = step.userId ? `userId:${step.userId}` : `anonymousId:${step.anonymousId}`;
      refs.add(ref);
      const base = {
        userId: step.userId,
        anonymousId: step.anonymousId,
        messageId: `sim-${index}`,
        timestamp: new Date(at).toISOString(),
      };
      if (step.outcome !== undefined || step.task !== undefined) {
        const profileId = await findProfileId(deps, ws, ref);
        if (step.task) {
          const open = (await listTasks(deps, ws, { status: 'open', limit: 1000 })).filter(
            (t) => t.profileId === profileId,
          );
          const task = open.at(-1);
          if (!task)
            fail(
              `events.steps.${index}.task`,
              `${ref} has no open task at ${new Date(at).toISOString()}`,
            );
          await completeTask(deps, ws, {
            taskId: task.id,
            outcome: step.task.outcome,
            note: step.task.note,
          });
        } else {
          const sent = (
            await listOutbox(deps, ws, { limit: 1000, profile: profileId })
          ).items.filter(
            (m) =>
              m.kind === 'message' && (!step.node || m.nodeId === step.node) && m.sentAt !== null,
          );
          const message = sent[0];
          if (!message)
            fail(
              `events.steps.${index}.outcome`,
              `${ref} has no sent message${step.node ? ` from node ${step.node}` : ''} yet`,
            );
          await recordOutcome(deps, ws, {
            messageId: message.id,
            type: step.outcome as never,
            machine: step.machine,
          });
        }
      } else {
        const [type, extra]: [CallType, Record<string, unknown>] = step.track
          ? ['track', { event: step.track, properties: step.properties ?? {} }]
          : step.identify
            ? ['identify', { traits: step.identify }]
            : ['page', { name: step.page, properties: step.properties ?? {} }];
        await ingest(deps, ws, [parseCall(type, { ...base, ...extra }, `events.steps.${index}`)]);
      }
    }
    await runUntil(until);
    return { profiles: await Promise.all([...refs].map((ref) => profileReport(wm, ref))) };
  } finally {
    await wm.close();
  }
}

function local(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

async function profileReport(
  wm: Awaited<ReturnType<typeof createWaymark>>,
  ref: string,
): Promise<SimulationResult['profiles'][number]> {
  const deps = wm.deps;
  const ws = DEFAULT_WORKSPACE;
  const view = await getProfile(deps, ws, ref);
  const workspace = await wm.store.workspaces.get(ws);
  const tz =
    typeof view.profile.traits.timezone === 'string'
      ? view.profile.traits.timezone
      : (workspace?.timezone ?? 'UTC');
  const route: RouteLine[] = [];
  for (const run of [...view.runs].sort((a, b) => a.enteredAt - b.enteredAt)) {
    const { trace } = await runHistory(deps, ws, run.id);
    for (const t of trace) {
      route.push({
        at: t.at,
        local: local(t.at, tz),
        journey: `${run.journeyId} v${run.version}`,
        node: t.node,
        what: t.what,
        detail: t.detail,
      });
    }
  }
  const outbox = await listOutbox(deps, ws, { limit: 10_000, profile: view.profile.id });
  const messages = outbox.items
    .map((m) => ({
      at: m.sentAt ?? m.createdAt,
      local: local(m.sentAt ?? m.createdAt, tz),
      channel: m.channel,
      to: m.recipient,
      status: m.status,
      node: m.nodeId,
      content: m.content,
    }))
    .sort((a, b) => a.at - b.at);
  return { ref, zone: tz, route, messages };
}

/** Prints a simulation as text, a block per profile. */
export function formatSimulation(result: SimulationResult): string {
  const out: string[] = [];
  for (const p of result.profiles) {
    out.push(`${p.ref} (${p.zone})`);
    for (const line of p.route)
      out.push(`  ${line.local}  ${line.node ?? '-'}  ${line.what}: ${line.detail}`);
    if (p.messages.length === 0) out.push('  messages: none');
    else out.push('  messages:');
    for (const m of p.messages) {
      const text = String(m.content.subject ?? m.content.body ?? '')
        .replace(/\s+/g, ' ')
        .slice(0, 100);
      out.push(`    ${m.local}  ${m.channel} to ${m.to ?? '(nobody)'} [${m.status}] ${text}`);
    }
    out.push('');
  }
  return out.join('\n');
}
