/** A page of the app that does not exist. */
import { Link } from 'wouter';
import { useTitle } from '../components/use-title.ts';

/** The page for an unknown address. */
export function NotFoundPage() {
  useTitle('Not found');
  return (
    <section>
      <h1>Nothing here</h1>
      <p>
        This address is not a page of Waymark. <Link href="/journeys">Go to the journeys</Link>.
      </p>
    </section>
  );
}
