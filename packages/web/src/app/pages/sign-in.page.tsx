/**
 * `/sign-in`: email and password. Wrong credentials and too many attempts (with the wait the
 * server asks for) are said above the form; once signed in, the user goes where they were going
 * (`?next=`, a path of the app only) or to the journeys.
 */
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { ApiError } from '../api/client.ts';
import { Field, FormAlert, waitText } from '../components/form.tsx';
import { useTitle } from '../components/use-title.ts';
import { useSession } from '../session.tsx';

/** Where to go after signing in: a path of this app, never another site. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/journeys';
}

function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'invalid_credentials')
      return 'That email and password do not match an account. Check both and try again.';
    if (error.code === 'rate_limited')
      return error.retryAfter
        ? `Too many attempts. Try again in ${waitText(error.retryAfter)}.`
        : 'Too many attempts. Wait a moment and try again.';
    return error.message;
  }
  return 'Waymark could not be reached. Check your connection and try again.';
}

/** The sign-in page. */
export function SignInPage() {
  useTitle('Sign in');
  const { session, sessionApi, setSession } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => sessionApi.signIn({ email: email.trim(), password }),
    onSuccess: (next) => {
      setSession(next);
      navigate(nextPath(search), { replace: true });
    },
  });
  if (session && !signIn.isPending) return <Redirect to={nextPath(search)} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} noValidate={false}>
        <p className="brand" aria-hidden="true">
          Waymark
        </p>
        <h1>Sign in</h1>
        <FormAlert>{signIn.isError ? messageOf(signIn.error) : null}</FormAlert>
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
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" className="primary wide" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
