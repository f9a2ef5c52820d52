/**
 * Channel provider configurations of a workspace.
 * Part of the storage contract (../store.ts); implemented by ../repos/channel-configs.repo.ts.
 */

/** A channel's provider configuration for a workspace (`/api/channels`, or env for the default). */
export interface ChannelConfigRow {
  workspaceId: string;
  /** `email`, `sms`, `voice`, `whatsapp`, `push`, `webhook`. */
  channel: string;
  /** `smtp`, `twilio`, `http-sms`, … */
  provider: string;
  /** Non-secret settings (from address, base URL, rate limit). */
  settings: Record<string, unknown>;
  /** Secret settings, encrypted with WAYMARK_SECRET_KEY (opaque to storage); null when none. */
  secrets: string | null;
  updatedAt: number;
}

/** Channel provider configurations. */
export interface ChannelConfigRepo {
  list(workspaceId: string): Promise<ChannelConfigRow[]>;
  get(workspaceId: string, channel: string): Promise<ChannelConfigRow | null>;
  /** Inserts or replaces the configuration of (workspace, channel). */
  upsert(row: ChannelConfigRow): Promise<void>;
  /** True when a row was removed. */
  remove(workspaceId: string, channel: string): Promise<boolean>;
}
