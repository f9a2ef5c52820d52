/** The document title of a page: `<page> · Waymark`. */
import { useEffect } from 'react';

/** Sets the document title while the page is shown. */
export function useTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · Waymark`;
  }, [page]);
}
