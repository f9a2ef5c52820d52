/**
 * The workspace the app works in: its name, and a menu to choose another when the user has more
 * than one. Every call carries the choice (`Waymark-Workspace`).
 */
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Check, ChevronsUpDown } from 'lucide-react';
import { useSession } from '../session.tsx';

/** The workspace switcher. */
export function WorkspaceSwitcher() {
  const { session, workspace, chooseWorkspace } = useSession();
  const workspaces = session?.workspaces ?? [];
  if (!workspace) return null;
  if (workspaces.length < 2)
    return (
      <p className="workspace" aria-label="Workspace">
        {workspace.name}
      </p>
    );
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        className="workspace menu-trigger"
        aria-label={`Workspace: ${workspace.name}, change`}
      >
        <span>{workspace.name}</span>
        <ChevronsUpDown size={14} aria-hidden="true" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="start" sideOffset={4}>
          <DropdownMenu.Label className="menu-label">Workspaces</DropdownMenu.Label>
          <DropdownMenu.RadioGroup value={workspace.id} onValueChange={chooseWorkspace}>
            {workspaces.map((w) => (
              <DropdownMenu.RadioItem key={w.id} value={w.id} className="menu-item">
                <DropdownMenu.ItemIndicator className="menu-check">
                  <Check size={14} aria-hidden="true" />
                </DropdownMenu.ItemIndicator>
                {w.name}
                <span className="menu-hint">{w.role}</span>
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
