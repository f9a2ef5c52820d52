/**
 * The frame of every signed-in page: the left navigation (one entry per section that exists;
 * sections join it as they are built), the workspace switcher and the user menu, and a link that
 * skips to the page's content.
 */
import { Route as RouteIcon, Users } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import type { Role } from '../api/session.ts';
import { useSession } from '../session.tsx';
import { UserMenu } from './user-menu.tsx';
import { WorkspaceSwitcher } from './workspace-switcher.tsx';

/** Roles that read journeys and profiles. */
const READERS: readonly Role[] = ['admin', 'editor', 'viewer'];

/** The sections, and who may open them (an agent works tasks only: no section of theirs yet). */
const SECTIONS = [
  { href: '/journeys', label: 'Journeys', icon: RouteIcon, readers: READERS },
  { href: '/profiles', label: 'Profiles', icon: Users, readers: READERS },
] as const;

function NavItem({ section }: { section: (typeof SECTIONS)[number] }) {
  const [active] = useRoute(`${section.href}/*?`);
  const Icon = section.icon;
  return (
    <li>
      <Link
        href={section.href}
        className={active ? 'nav-link active' : 'nav-link'}
        aria-current={active ? 'page' : undefined}
      >
        <Icon size={16} aria-hidden="true" />
        {section.label}
      </Link>
    </li>
  );
}

/** The app's frame around a page. */
export function AppShell({ children }: { children: ReactNode }) {
  const { workspace } = useSession();
  const role = workspace?.role;
  return (
    <div className="shell">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <aside className="sidebar">
        <p className="brand">Waymark</p>
        <WorkspaceSwitcher />
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.filter((section) => role && section.readers.includes(role)).map((section) => (
              <NavItem key={section.href} section={section} />
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <UserMenu />
        </div>
      </aside>
      <main id="content" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
