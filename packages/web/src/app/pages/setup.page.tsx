/**
 * `/setup/:token`: the page of a setup link. A `first_admin` link creates the first admin
 * (email, name, password twice); a `password` link sets the password of the account it was made
 * for. Either way the user is then signed in and lands on the journeys.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useLocation } from 'wouter';
import { ApiError } from '../api/client.ts';
import { Field, FormAlert } from '../components/form.tsx';
import { useTitle } from '../components/use-title.ts';
import { useSession } from '../session.tsx';

/** The setup page. */
export function SetupPage({ params }: { params: { token: string } }) {
  const { sessionApi, setSession } = useSession();
  const [, navigate] = useLocation();
  const link = useQuery({
    queryKey: ['setup', params.token],
    queryFn: () => sessionApi.setupLink(params.token),
    retry: false,
  });
  const first = link.data?.kind === 'first_admin';
  useTitle(first ? 'Create the first admin' : 'Set your password');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const setup = useMutation({
    mutationFn: () =>
      sessionApi.completeSetup({
        token: params.token,
        ...(first ? { email: email.trim(), name: name.trim() } : {}),
        password,
      }),
    onSuccess: (session) => {
      setSession(session);
      navigate('/journeys', { replace: true });
    },
  });

  if (link.isPending)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (!link.data)
    return (
      <main className="auth">
        <section className="auth-card">
          <h1>This link is not valid</h1>
          <p>
            It may have expired or been used already. Ask an admin of your Waymark for a new link.
          </p>
          <FormAlert>{link.isError ? 'Waymark could not be reached.' : null}</FormAlert>
        </section>
      </main>
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const differ = password !== repeat;
    setMismatch(differ);
    if (!differ) setup.mutate();
  };
  const error =
    setup.error instanceof ApiError
      ? setup.error.message
      : setup.isError
        ? 'Waymark could not be reached. Try again.'
        : null;
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit}>
        <p className="brand" aria-hidden="true">
          Waymark
        </p>
        <h1>{first ? 'Create the first admin' : 'Set your password'}</h1>
        <p className="muted">
          {first
            ? 'This account manages Waymark: it can invite everyone else.'
            : `For ${link.data.email ?? 'your account'}.`}
        </p>
        <FormAlert>{error}</FormAlert>
        {first && (
          <>
            <Field
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <Field
              label="Name"
              name="name"
              autoComplete="name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </>
        )}
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Field
          label="Password again"
          type="password"
          name="repeat"
          autoComplete="new-password"
          required
          value={repeat}
          error={mismatch ? 'The two passwords differ.' : undefined}
          onChange={(e) => setRepeat(e.target.value)}
        />
        <button type="submit" className="primary wide" disabled={setup.isPending}>
          {first ? 'Create and sign in' : 'Set password and sign in'}
        </button>
      </form>
    </main>
  );
}
