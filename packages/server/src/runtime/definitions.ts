/** Caches journey definitions: versions are immutable; the live set is re-read after a short TTL. */
import type { JourneyDefinition } from '@waymark/core';
import type { JourneyRow, Tx } from '../storage/store.ts';

/** A live journey with its published definition. */
export interface LiveJourney {
  journey: JourneyRow;
  definition: JourneyDefinition;
}

const MAX_VERSIONS = 5_000;

/** Definition cache shared by the worker's phases. */
export class DefinitionCache {
  readonly #versions = new Map<string, JourneyDefinition>();
  readonly #live = new Map<string, { at: number; journeys: LiveJourney[] }>();
  readonly #ttlMs: number;

  constructor(opts: { liveTtlMs?: number } = {}) {
    this.#ttlMs = opts.liveTtlMs ?? 1_000;
  }

  /** A version's definition; throws when it does not exist (a run always points at one). */
  async version(
    tx: Tx,
    workspaceId: string,
    journeyId: string,
    version: number,
  ): Promise<JourneyDefinition> {
    const k = `${workspaceId}\u0000${journeyId}\u0000${version}`;
    const hit = this.#versions.get(k);
    if (hit) return hit;
    const row = await tx.journeys.getVersion(workspaceId, journeyId, version);
    if (!row)
      throw new Error(
        `journey ${journeyId} version ${version} not found in workspace ${workspaceId}`,
      );
    if (this.#versions.size >= MAX_VERSIONS)
      this.#versions.delete(this.#versions.keys().next().value!);
    this.#versions.set(k, row.definition);
    return row.definition;
  }

  /** Live journeys of a workspace (published, status live). */
  async live(tx: Tx, workspaceId: string, now: number): Promise<LiveJourney[]> {
    const hit = this.#live.get(workspaceId);
    if (hit && now - hit.at < this.#ttlMs && hit.at <= now) return hit.journeys;
    const rows = await tx.journeys.live(workspaceId, {});
    const journeys: LiveJourney[] = [];
    for (const journey of rows) {
      if (journey.publishedVersion === null) continue;
      journeys.push({
        journey,
        definition: await this.version(tx, workspaceId, journey.id, journey.publishedVersion),
      });
    }
    this.#live.set(workspaceId, { at: now, journeys });
    return journeys;
  }

  /** Forgets the live sets (after a publish in this process). */
  invalidateAll(): void {
    this.#live.clear();
  }
}
