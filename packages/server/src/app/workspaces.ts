/** Workspaces and their keys: the default workspace is created at first start (`demo` by `--demo`). */
import { AppError } from '../errors.ts';
import { newSecret, sha256 } from '../ids.ts';
import type { KeyKind, Tx } from '../storage/store.ts';
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
  return ensureWorkspace(deps, {
    id: DEFAULT_WORKSPACE,
    name: 'Default',
    timezone: opts.timezone,
    writeKey: opts.writeKey,
    adminToken: opts.adminToken,
  });
}

/**
 * Makes sure a workspace exists and has a write key and an admin token: a key given is added when
 * missing; a kind of key not given is generated when the workspace has none, and returned.
 */
export async function ensureWorkspace(
  deps: AppDeps,
  ws: {
    id: string;
    name: string;
    timezone?: string | undefined;
    writeKey?: string | undefined;
    adminToken?: string | undefined;
  },
): Promise<GeneratedKeys> {
  const now = deps.clock.now();
  return deps.store.transaction((tx) => ensureWorkspaceIn(tx, ws, now));
}

/** `ensureWorkspace` inside a transaction (creating a workspace with its first admin). */
export async function ensureWorkspaceIn(
  tx: Tx,
  ws: {
    id: string;
    name: string;
    timezone?: string | undefined;
    writeKey?: string | undefined;
    adminToken?: string | undefined;
  },
  now: number,
): Promise<GeneratedKeys> {
  if (!(await tx.workspaces.get(ws.id))) {
    await tx.workspaces.create({
      id: ws.id,
      name: ws.name,
      timezone: ws.timezone ?? 'UTC',
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
        await tx.workspaces.addKey({ workspaceId: ws.id, kind, hash, createdAt: now });
      }
      return undefined;
    }
    if ((await tx.workspaces.countKeys(ws.id, kind)) > 0) return undefined;
    const secret = newSecret(kind === 'write' ? 'wk_' : 'wa_');
    await tx.workspaces.addKey({
      workspaceId: ws.id,
      kind,
      hash: sha256(secret),
      createdAt: now,
    });
    return secret;
  };
  const writeKey = await ensure('write', ws.writeKey);
  const adminToken = await ensure('admin', ws.adminToken);
  if (writeKey) generated.writeKey = writeKey;
  if (adminToken) generated.adminToken = adminToken;
  return generated;
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
