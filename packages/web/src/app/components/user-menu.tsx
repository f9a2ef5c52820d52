/** The signed-in user's menu: who they are, change password, sign out. */
import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation } from '@tanstack/react-query';
import { KeyRound, LogOut, UserRound } from 'lucide-react';
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { ChangePasswordDialog } from './change-password-dialog.tsx';

/** The user menu. */
export function UserMenu() {
  const { session, workspace, sessionApi } = useSession();
  const [changing, setChanging] = useState(false);
  const signOut = useMutation({
    mutationFn: () => sessionApi.signOut(),
    // A fresh page: nothing read while signed in stays in memory.
    onSettled: () => window.location.assign('/sign-in'),
  });
  if (!session) return null;
  return (
    <>
      <DropdownMenu.Root>
        <DropdownMenu.Trigger
          className="menu-trigger user"
          aria-label={`Account: ${session.user.name}`}
        >
          <UserRound size={16} aria-hidden="true" />
          <span className="user-name">{session.user.name}</span>
          {workspace && <span className="role">{workspace.role}</span>}
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu" side="top" align="start" sideOffset={4}>
            <DropdownMenu.Label className="menu-label">{session.user.email}</DropdownMenu.Label>
            <DropdownMenu.Item className="menu-item" onSelect={() => setChanging(true)}>
              <KeyRound size={14} aria-hidden="true" />
              Change password
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="menu-separator" />
            <DropdownMenu.Item className="menu-item" onSelect={() => signOut.mutate()}>
              <LogOut size={14} aria-hidden="true" />
              Sign out
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <ChangePasswordDialog open={changing} onOpenChange={setChanging} />
    </>
  );
}
