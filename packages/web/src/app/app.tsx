/**
 * The app's pages. Signing in and setting up are open to anyone; every other page needs a
 * session, and sends the user to `/sign-in?next=<where they were going>` without one.
 */
import { lazy, Suspense } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { AppShell } from './components/app-shell.tsx';
import { JourneysPage } from './pages/journeys.page.tsx';
import { NotFoundPage } from './pages/not-found.page.tsx';
import { ProfilePage } from './pages/profile.page.tsx';
import { ProfilesPage } from './pages/profiles.page.tsx';
import { SetupPage } from './pages/setup.page.tsx';
import { SignInPage } from './pages/sign-in.page.tsx';
import { useSession } from './session.tsx';

// The editor brings the canvas and its libraries: loaded when a journey is opened.
const JourneyPage = lazy(() => import('./pages/journey.page.tsx'));

/** The routes of the app. */
export function App() {
  return (
    <Switch>
      <Route path="/sign-in" component={SignInPage} />
      <Route path="/setup/:token" component={SetupPage} />
      <Route>
        <SignedIn />
      </Route>
    </Switch>
  );
}

/** The pages of a signed-in user, in the app's shell. */
function SignedIn() {
  const { session } = useSession();
  const [location] = useLocation();
  if (session === undefined)
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (session === null) {
    const next = location === '/' ? '' : `?next=${encodeURIComponent(location)}`;
    return <Redirect to={`/sign-in${next}`} replace />;
  }
  return (
    <AppShell>
      <Switch>
        <Route path="/">
          <Redirect to="/journeys" replace />
        </Route>
        <Route path="/journeys" component={JourneysPage} />
        <Route path="/journeys/:id">
          <Suspense
            fallback={
              <p className="loading" role="status">
                Opening the editor…
              </p>
            }
          >
            <JourneyPage />
          </Suspense>
        </Route>
        <Route path="/profiles" component={ProfilesPage} />
        <Route path="/profiles/:ref" component={ProfilePage} />
        <Route component={NotFoundPage} />
      </Switch>
    </AppShell>
  );
}
