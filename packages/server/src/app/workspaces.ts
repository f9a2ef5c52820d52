/** Workspaces and their keys: the default workspace is created at first start. */
import { AppError } from '../errors.ts';
import { newSecret, sha256 } from '../ids.ts';
import type { KeyKind } from '../storage/store.ts';
import type { AppDeps } from './deps.ts';

/** Id of the workspace a single-tenant install uses. */
export const DEFAULT_WORKSPACE = 'default';

/** Keys made at first start; shown once, stored only as hashes. */
export interface GeneratedKeys {
  writeKey?: string;
  adminToken?: string;
}

/**
 * Makes sure the default workspace exists and has a write key and an admin token. Configured keys
 * (WAYMARK_WRITE_KEY, WAYMARK_ADMIN_TOKEN) are added when missing; otherwise keys are generated the
 * first time only and returned so the caller can print them once.
 */
export async function ensureDefaultWorkspace(
  deps: AppDeps,
  opts: {
    writeKey?: string | undefined;
    adminToken?: string | undefined;
    timezone?: string | undefined;
  },
): Promise<GeneratedKeys> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.workspaces.get(DEFAULT_WORKSPACE))) {
      await tx.workspaces.create({
        id: DEFAULT_WORKSPACE,
        name: 'Default',
        timezone: opts.timezone ?? 'UTC',
        createdAt: now,
      });
    }
    const generated: GeneratedKeys = {};
    const ensure = async (
      kind: KeyKind,
      configured: string | undefined,
    ): Promise<string | undefined> => {
      if (configured) {
        const hash = sha256(configured);
        if ((await tx.workspaces.findByKey(kind, hash)) === null) {
          await tx.workspaces.addKey({
            workspaceId: DEFAULT_WORKSPACE,
            kind,
            hash,
            createdAt: now,
          });
        }
        return undefined;
      }
      if ((await tx.workspaces.countKeys(DEFAULT_WORKSPACE, kind)) > 0) return undefined;
      const secret = newSecret(kind === 'write' ? 'wk_' : 'wa_');
      await tx.workspaces.addKey({
        workspaceId: DEFAULT_WORKSPACE,
        kind,
        hash: sha256(secret),
        createdAt: now,
      });
      return secret;
    };
    const writeKey = await ensure('write', opts.writeKey);
    const adminToken = await ensure('admin', opts.adminToken);
    if (writeKey) generated.writeKey = writeKey;
    if (adminToken) generated.adminToken = adminToken;
    return generated;
  });
}

/** How long a verified key is trusted without asking the store again. */
const KEY_CACHE_MS = 30_000;
const keyCache = new WeakMap<object, Map<string, { workspaceId: string; at: number }>>();

/**
 * The workspace a key belongs to; throws `unauthorized` when none. Verified keys are remembered
 * for 30 s per store (ingestion authenticates every request); unknown keys are always re-checked.
 */
export async function authenticate(
  deps: AppDeps,
  kind: KeyKind,
  secret: string | undefined,
): Promise<string> {
  if (!secret) {
    throw new AppError(
      'unauthorized',
      kind === 'write'
        ? 'missing write key (HTTP Basic user name)'
        : 'missing admin token (Authorization: Bearer)',
    );
  }
  const hash = sha256(secret);
  let cache = keyCache.get(deps.store);
  if (!cache) {
    cache = new Map();
    keyCache.set(deps.store, cache);
  }
  const now = Date.now();
  const hit = cache.get(`${kind}:${hash}`);
  if (hit && now - hit.at < KEY_CACHE_MS) return hit.workspaceId;
  const workspaceId = await deps.store.workspaces.findByKey(kind, hash);
  if (!workspaceId) {
    throw new AppError(
      'unauthorized',
      kind === 'write' ? 'unknown write key' : 'unknown admin token',
    );
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(`${kind}:${hash}`, { workspaceId, at: now });
  return workspaceId;
}
