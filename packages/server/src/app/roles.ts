/**
 * Roles of operators and what each grants, in one place. Not a ladder: admin ⊇ editor ⊇ viewer,
 * editor ⊇ agent, but a viewer is not an agent (tasks are the agents' room) and an agent sees
 * only task routes. Every operator route names the least role it needs (http/route.ts).
 */
import type { MemberRole } from '../storage/store.ts';

/** A member's role in a workspace. */
export type Role = MemberRole;

/** Every role, most powerful first. */
export const ROLES = ['admin', 'editor', 'viewer', 'agent'] as const satisfies readonly Role[];

/** The roles each role includes (itself among them). */
const GRANTS = {
  admin: ['admin', 'editor', 'viewer', 'agent'],
  editor: ['editor', 'viewer', 'agent'],
  viewer: ['viewer'],
  agent: ['agent'],
} as const satisfies Record<Role, readonly Role[]>;

/** Whether a member with role `have` may call a route that needs `need`. */
export function grants(have: Role, need: Role): boolean {
  return (GRANTS[have] as readonly Role[]).includes(need);
}
