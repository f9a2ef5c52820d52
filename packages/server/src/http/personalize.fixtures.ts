/** Test fixtures of personalisation: the scenario 9 journeys as shipped in examples/journeys. */
import { readFileSync } from 'node:fs';

/** The scenario's journey documents (YAML), by id. */
export const SCENARIO_JOURNEYS = [
  'interest-personalisation',
  'interest-cart-adds',
  'low-score-live-chat',
].map((id) => ({
  id,
  yaml: readFileSync(new URL(`../../../../examples/journeys/${id}.yaml`, import.meta.url), 'utf8'),
}));
