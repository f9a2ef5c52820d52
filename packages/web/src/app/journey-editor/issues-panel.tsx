/**
 * Every issue the validator finds in the draft, as it is typed: errors first, then warnings,
 * each with its place (a node, the trigger, the settings) and its exact message; choosing one
 * selects where it is.
 */
import type { ValidationIssue } from '@waymark/core';
import { TRIGGER_ID } from './graph.ts';

/** Where an issue is, for the canvas: a node id, the trigger, or null for the journey. */
export function issuePlace(issue: ValidationIssue): string | null {
  if (issue.node !== undefined) return issue.node;
  if (issue.path === 'trigger' || issue.path.startsWith('trigger.')) return TRIGGER_ID;
  return null;
}

/** Issues counted by place (node id, or the trigger). */
export function issueCounts(issues: readonly ValidationIssue[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const issue of issues) {
    const place = issuePlace(issue);
    if (place !== null) counts.set(place, (counts.get(place) ?? 0) + 1);
  }
  return counts;
}

/** The panel of issues. */
export function IssuesPanel({
  errors,
  warnings,
  onSelect,
}: {
  errors: readonly ValidationIssue[];
  warnings: readonly ValidationIssue[];
  onSelect(place: string | null): void;
}) {
  const all = [
    ...errors.map((issue) => ({ issue, level: 'error' as const })),
    ...warnings.map((issue) => ({ issue, level: 'warning' as const })),
  ];
  return (
    <section className="issues-panel" aria-label="Issues">
      <h2>
        {errors.length === 0
          ? 'No errors'
          : `${errors.length} error${errors.length === 1 ? '' : 's'}`}
        {warnings.length > 0 && `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`}
      </h2>
      {all.length > 0 && (
        <ul>
          {all.map(({ issue, level }) => {
            const place = issuePlace(issue);
            return (
              <li key={`${level}:${issue.path}:${issue.code}:${issue.message}`} className={level}>
                <button type="button" className="link" onClick={() => onSelect(place)}>
                  <span className="issue-place">
                    {place === TRIGGER_ID ? 'Trigger' : (place ?? (issue.path || 'Journey'))}
                  </span>{' '}
                  {issue.message}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
