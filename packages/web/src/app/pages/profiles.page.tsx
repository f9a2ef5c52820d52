/**
 * `/profiles`: find a customer by id, email or phone (exactly, as the API's `q` does), or browse
 * the profiles of the workspace a page at a time; each opens its profile page.
 */
import { useQuery } from '@tanstack/react-query';
import { Search } from 'lucide-react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { unwrap } from '../api/client.ts';
import type { components } from '../api/openapi.generated.ts';
import { FormAlert } from '../components/form.tsx';
import { useTitle } from '../components/use-title.ts';
import { useSession } from '../session.tsx';
import './profiles.css';

type Profile = components['schemas']['listProfiles_response']['items'][number];

const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A trait as a short text (`—` when absent). */
export function traitText(profile: { traits: Record<string, unknown> }, name: string): string {
  const value = profile.traits[name];
  return value === undefined || value === null ? '—' : String(value);
}

/** The name a person would recognise a profile by. */
export function profileTitle(profile: { id: string; traits: Record<string, unknown> }): string {
  const { first_name: first, last_name: last, name, email } = profile.traits;
  const full = [first, last].filter((x) => typeof x === 'string' && x).join(' ');
  if (full) return full;
  if (typeof name === 'string' && name) return name;
  if (typeof email === 'string' && email) return email;
  return profile.id;
}

/** The profiles page. */
export function ProfilesPage() {
  useTitle('Profiles');
  const { api, workspace } = useSession();
  const search = new URLSearchParams(useSearch());
  const q = search.get('q') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [, navigate] = useLocation();
  const [text, setText] = useState(q);
  const profiles = useQuery({
    queryKey: ['profiles', workspace?.id, q, cursor],
    queryFn: () =>
      unwrap(
        api.GET('/api/profiles', {
          params: { query: q ? { q } : { limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const wanted = text.trim();
    navigate(wanted ? `/profiles?q=${encodeURIComponent(wanted)}` : '/profiles');
  };
  const items: Profile[] = profiles.data?.items ?? [];

  return (
    <section aria-labelledby="profiles-title">
      <header className="page-head">
        <h1 id="profiles-title">Profiles</h1>
      </header>
      <form role="search" className="search" onSubmit={onSubmit}>
        <label htmlFor="profile-search" className="visually-hidden">
          Find a profile by id, email or phone
        </label>
        <input
          id="profile-search"
          type="search"
          value={text}
          placeholder="Id, email or phone"
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="button">
          <Search size={16} aria-hidden="true" />
          Find
        </button>
      </form>
      {profiles.isPending ? (
        <p role="status">Loading profiles…</p>
      ) : profiles.isError ? (
        <FormAlert>
          The profiles could not be loaded:{' '}
          {profiles.error instanceof Error ? profiles.error.message : 'no answer'}.
        </FormAlert>
      ) : items.length === 0 ? (
        <div className="empty">
          <p>{q ? `No profile is “${q}”.` : 'No profiles yet.'}</p>
          <p className="muted">
            {q
              ? 'Search takes a whole id, userId, email address or phone number.'
              : 'Profiles appear as your website or app sends events (identify, track).'}
          </p>
        </div>
      ) : (
        <>
          <table className="table">
            <caption className="visually-hidden">Profiles</caption>
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">Email</th>
                <th scope="col">Phone</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <Link href={`/profiles/${encodeURIComponent(p.id)}`} className="journey-name">
                      {profileTitle(p)}
                    </Link>
                    <span className="muted id">{p.id}</span>
                  </th>
                  <td>{traitText(p, 'email')}</td>
                  <td>{traitText(p, 'phone')}</td>
                  <td>
                    {p.lastSeenAt === null ? (
                      <span className="muted">never</span>
                    ) : (
                      <time dateTime={new Date(p.lastSeenAt).toISOString()}>
                        {date.format(p.lastSeenAt)}
                      </time>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {profiles.data?.next && (
            <p className="actions">
              <Link
                className="button"
                href={`/profiles?cursor=${encodeURIComponent(profiles.data.next)}`}
              >
                Next page
              </Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}
