/**
 * `/profiles/:ref`: one customer — their traits, identities and lists; each journey they are on
 * with where they are and why, in their own time ("waiting for email opened … until Tue 09:00
 * Europe/Lisbon"), with a way to take them off it (editors); and a timeline of their events and
 * the messages sent to them, newest first.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CircleStop, Mail, MousePointerClick } from 'lucide-react';
import { Link, useParams } from 'wouter';
import { ApiError, unwrap } from '../api/client.ts';
import type { components } from '../api/openapi.generated.ts';
import { FormAlert } from '../components/form.tsx';
import { useTitle } from '../components/use-title.ts';
import { canEdit, useSession } from '../session.tsx';
import { profileTitle } from './profiles.page.tsx';
import './profiles.css';

type Run = components['schemas']['getProfile_response']['runs'][number];
type Event = components['schemas']['listProfileEvents_response']['items'][number];
type Message = components['schemas']['listOutbox_response']['items'][number];

const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const RUN_STATUS: Record<Run['status'], string> = {
  active: 'Moving',
  waiting: 'Waiting',
  completed: 'Completed',
  exited: 'Exited',
};

/** One line of the timeline: an event the profile did, or a message sent to them. */
type Moment =
  { kind: 'event'; at: number; event: Event } | { kind: 'message'; at: number; message: Message };

/** A message's one-line summary: its subject, else the start of its text. */
function messageText(m: Message): string {
  const { subject, body, text } = m.content as Record<string, unknown>;
  const line = [subject, body, text].find((x) => typeof x === 'string' && x) as string | undefined;
  return line ? (line.length > 90 ? `${line.slice(0, 89)}…` : line) : (m.template ?? m.kind);
}

function Time({ at }: { at: number }) {
  return <time dateTime={new Date(at).toISOString()}>{date.format(at)}</time>;
}

/** The profile page. */
export function ProfilePage() {
  const { ref } = useParams<{ ref: string }>();
  const { api, workspace } = useSession();
  const queryClient = useQueryClient();
  const editor = canEdit(workspace?.role);
  const path = { params: { path: { ref } } };
  const profile = useQuery({
    queryKey: ['profile', workspace?.id, ref],
    queryFn: () => unwrap(api.GET('/api/profiles/{ref}', path)),
  });
  const events = useQuery({
    queryKey: ['profile-events', workspace?.id, ref],
    queryFn: () =>
      unwrap(
        api.GET('/api/profiles/{ref}/events', { params: { ...path.params, query: { limit: 50 } } }),
      ),
  });
  const messages = useQuery({
    queryKey: ['profile-messages', workspace?.id, ref],
    queryFn: () =>
      unwrap(api.GET('/api/outbox', { params: { query: { profile: ref, limit: 50 } } })),
  });
  const cancel = useMutation({
    mutationFn: (runId: string) =>
      unwrap(api.POST('/api/runs/{id}/cancel', { params: { path: { id: runId } }, body: {} })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['profile', workspace?.id, ref] }),
  });
  const title = profile.data ? profileTitle(profile.data.profile) : ref;
  useTitle(title);

  if (profile.isPending) return <p role="status">Loading the profile…</p>;
  if (profile.isError)
    return (
      <FormAlert>
        {profile.error instanceof ApiError && profile.error.status === 404
          ? `There is no profile “${ref}”.`
          : `The profile could not be loaded: ${profile.error.message}.`}
      </FormAlert>
    );
  const { profile: p, identities, lists, runs } = profile.data;
  const moments: Moment[] = [
    ...(events.data?.items ?? []).map((event): Moment => ({
      kind: 'event',
      at: event.timestamp,
      event,
    })),
    ...(messages.data?.items ?? []).map((message): Moment => ({
      kind: 'message',
      at: message.sentAt ?? message.createdAt,
      message,
    })),
  ].sort((a, b) => b.at - a.at);

  return (
    <section aria-labelledby="profile-title" className="profile">
      <header className="page-head">
        <h1 id="profile-title">{title}</h1>
        <span className="muted id">{p.id}</span>
      </header>

      <div className="profile-grid">
        <section aria-labelledby="traits-title" className="panel">
          <h2 id="traits-title">Traits</h2>
          <dl className="facts">
            {Object.entries(p.traits).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
              </div>
            ))}
          </dl>
          <h2>Identities</h2>
          <ul className="plain">
            {identities.map((i) => (
              <li key={`${i.kind}:${i.value}`}>
                <span className="muted">{i.kind}</span> {i.value}
              </li>
            ))}
          </ul>
          <h2>Lists</h2>
          <p>{lists.length ? lists.join(', ') : <span className="muted">none</span>}</p>
        </section>

        <section aria-labelledby="runs-title" className="panel">
          <h2 id="runs-title">Journeys</h2>
          <FormAlert>
            {cancel.isError
              ? cancel.error instanceof ApiError
                ? cancel.error.message
                : 'The change did not reach Waymark. Try again.'
              : null}
          </FormAlert>
          {runs.length === 0 ? (
            <p className="muted">Not on any journey.</p>
          ) : (
            <ul className="runs">
              {runs.map((run) => {
                const on = run.status === 'active' || run.status === 'waiting';
                return (
                  <li key={run.id} className="run">
                    <p>
                      <Link href={`/journeys/${run.journeyId}`} className="journey-name">
                        {run.journeyId}
                      </Link>{' '}
                      <span className="muted">v{run.version}</span>{' '}
                      <span className={`badge ${on ? 'live' : 'archived'}`}>
                        {RUN_STATUS[run.status]}
                      </span>
                    </p>
                    <p className="where">{run.where}</p>
                    <p className="muted">
                      Entered <Time at={run.enteredAt} />
                    </p>
                    {editor && on && (
                      <button
                        type="button"
                        className="small"
                        disabled={cancel.isPending}
                        aria-label={`Take ${title} off ${run.journeyId}`}
                        onClick={() => {
                          if (
                            window.confirm(
                              `Take ${title} off ${run.journeyId}? Nothing more of it is sent.`,
                            )
                          )
                            cancel.mutate(run.id);
                        }}
                      >
                        <CircleStop size={14} aria-hidden="true" />
                        Take off journey
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>

      <section aria-labelledby="timeline-title" className="panel">
        <h2 id="timeline-title">Timeline</h2>
        {moments.length === 0 ? (
          <p className="muted">Nothing yet.</p>
        ) : (
          <ol className="timeline">
            {moments.map((m) =>
              m.kind === 'event' ? (
                <li key={`e${m.event.seq}`}>
                  <MousePointerClick size={14} aria-hidden="true" />
                  <Time at={m.at} /> <strong>{m.event.name || m.event.type}</strong>{' '}
                  <span className="muted">{m.event.type}</span>
                </li>
              ) : (
                <li key={`m${m.message.id}`}>
                  <Mail size={14} aria-hidden="true" />
                  <Time at={m.at} /> <strong>{m.message.channel}</strong> {messageText(m.message)}{' '}
                  <span
                    className={`badge ${m.message.status === 'sent' || m.message.status === 'delivered' ? 'live' : 'paused'}`}
                  >
                    {m.message.status}
                  </span>
                  {m.message.journeyId && (
                    <span className="muted">
                      {' '}
                      · {m.message.journeyId} / {m.message.nodeId}
                    </span>
                  )}
                </li>
              ),
            )}
          </ol>
        )}
      </section>
    </section>
  );
}
