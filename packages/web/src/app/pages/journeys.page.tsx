/**
 * `/journeys`: every journey of the workspace with its status, live version, how many entered,
 * are on it now and converted (from each journey's report), and when it last changed. Editors
 * and admins can pause, resume and archive; viewers see the list only.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Archive, Pause, Play } from 'lucide-react';
import type { components } from '../api/openapi.generated.ts';
import { ApiError, unwrap } from '../api/client.ts';
import { Link } from 'wouter';
import { FormAlert } from '../components/form.tsx';
import { NewJourneyButton } from '../components/new-journey-dialog.tsx';
import { useTitle } from '../components/use-title.ts';
import { canEdit, useSession } from '../session.tsx';

type Journey = components['schemas']['listJourneys_response']['items'][number];
type Action = 'pause' | 'resume' | 'archive';

const STATUS_LABELS: Record<Journey['status'], string> = {
  draft: 'Draft',
  live: 'Live',
  paused: 'Paused',
  archived: 'Archived',
};

const count = new Intl.NumberFormat();
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The actions a journey in this status offers. */
function actionsOf(journey: Journey): Action[] {
  switch (journey.status) {
    case 'live':
      return ['pause', 'archive'];
    case 'paused':
      return ['resume', 'archive'];
    case 'archived':
      return journey.publishedVersion === null ? [] : ['resume'];
    case 'draft':
      return ['archive'];
  }
}

const ACTIONS = {
  pause: { label: 'Pause', icon: Pause },
  resume: { label: 'Resume', icon: Play },
  archive: { label: 'Archive', icon: Archive },
} satisfies Record<Action, unknown>;

/** The journeys page. */
export function JourneysPage() {
  useTitle('Journeys');
  const { api, workspace } = useSession();
  const queryClient = useQueryClient();
  const editor = canEdit(workspace?.role);
  const journeys = useQuery({
    queryKey: ['journeys', workspace?.id],
    queryFn: () => unwrap(api.GET('/api/journeys')),
  });
  const items = journeys.data?.items ?? [];
  const reports = useQueries({
    queries: items.map((j) => ({
      queryKey: ['journey-report', workspace?.id, j.id],
      queryFn: () =>
        unwrap(api.GET('/api/journeys/{id}/report', { params: { path: { id: j.id } } })),
      staleTime: 30_000,
    })),
  });
  const change = useMutation({
    mutationFn: ({ id, action }: { id: string; action: Action }) => {
      const params = { params: { path: { id } } };
      switch (action) {
        case 'pause':
          return unwrap(api.POST('/api/journeys/{id}/pause', params));
        case 'resume':
          return unwrap(api.POST('/api/journeys/{id}/resume', params));
        case 'archive':
          return unwrap(api.POST('/api/journeys/{id}/archive', params));
      }
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['journeys', workspace?.id] }),
  });

  return (
    <section aria-labelledby="journeys-title">
      <header className="page-head">
        <h1 id="journeys-title">Journeys</h1>
        {editor && <NewJourneyButton taken={new Set(items.map((j) => j.id))} />}
      </header>
      <FormAlert>
        {change.isError
          ? change.error instanceof ApiError
            ? change.error.message
            : 'The change did not reach Waymark. Try again.'
          : null}
      </FormAlert>
      {journeys.isPending ? (
        <p role="status">Loading journeys…</p>
      ) : journeys.isError ? (
        <FormAlert>
          The journeys could not be loaded:{' '}
          {journeys.error instanceof Error ? journeys.error.message : 'no answer'}.
        </FormAlert>
      ) : items.length === 0 ? (
        <div className="empty">
          <p>No journeys yet.</p>
          <p className="muted">
            {editor ? 'Start one with “New journey”, or apply' : 'Apply'} one with{' '}
            <code>waymark journeys apply &lt;file&gt;</code>, or start with{' '}
            <code>npm start -- --demo</code> to try the examples.
          </p>
        </div>
      ) : (
        <table className="table">
          <caption className="visually-hidden">
            Journeys of {workspace?.name ?? 'this workspace'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Live version
              </th>
              <th scope="col" className="num">
                Entered
              </th>
              <th scope="col" className="num">
                Active
              </th>
              <th scope="col" className="num">
                Converted
              </th>
              <th scope="col">Last change</th>
              {editor && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {items.map((journey, i) => {
              const report = reports[i]?.data;
              const figure = (n: number | undefined) =>
                n === undefined ? <span className="muted">–</span> : count.format(n);
              return (
                <tr key={journey.id}>
                  <th scope="row">
                    <Link href={`/journeys/${journey.id}`} className="journey-name">
                      {journey.name}
                    </Link>
                    <span className="muted id">{journey.id}</span>
                  </th>
                  <td>
                    <span className={`badge ${journey.status}`}>
                      {STATUS_LABELS[journey.status]}
                    </span>
                  </td>
                  <td className="num">
                    {journey.publishedVersion === null ? (
                      <span className="muted">none</span>
                    ) : (
                      `v${journey.publishedVersion}`
                    )}
                  </td>
                  <td className="num">{figure(report?.runs.entered)}</td>
                  <td className="num">{figure(report?.runs.active)}</td>
                  <td className="num">{figure(report?.conversions.total.convertedRuns)}</td>
                  <td>
                    <time dateTime={new Date(journey.updatedAt).toISOString()}>
                      {date.format(journey.updatedAt)}
                    </time>
                  </td>
                  {editor && (
                    <td className="row-actions">
                      {actionsOf(journey).map((action) => {
                        const { label, icon: Icon } = ACTIONS[action];
                        return (
                          <button
                            key={action}
                            type="button"
                            className="small"
                            disabled={change.isPending}
                            aria-label={`${label} ${journey.name}`}
                            onClick={() => change.mutate({ id: journey.id, action })}
                          >
                            <Icon size={14} aria-hidden="true" />
                            {label}
                          </button>
                        );
                      })}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
