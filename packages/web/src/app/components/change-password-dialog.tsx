/** Changing one's password: the current one, the new one twice. */
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { useSession } from '../session.tsx';
import { Field, FormAlert } from './form.tsx';

/** The change-password dialog. */
export function ChangePasswordDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  const { sessionApi } = useSession();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => sessionApi.changePassword({ current, password }),
    onSuccess: () => close(false),
  });
  function close(next: boolean) {
    if (!next) {
      setCurrent('');
      setPassword('');
      setRepeat('');
      setMismatch(false);
      change.reset();
    }
    onOpenChange(next);
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(password !== repeat);
    if (password === repeat) change.mutate();
  };
  const error =
    change.error instanceof ApiError
      ? change.error.code === 'invalid_credentials'
        ? 'The current password is not right.'
        : change.error.message
      : change.isError
        ? 'Waymark could not be reached. Try again.'
        : null;
  return (
    <Dialog.Root open={open} onOpenChange={close}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Change password</Dialog.Title>
          <Dialog.Description className="muted">
            You stay signed in on this browser.
          </Dialog.Description>
          <form onSubmit={submit}>
            <FormAlert>{error}</FormAlert>
            <Field
              label="Current password"
              type="password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
            <Field
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Field
              label="New password again"
              type="password"
              autoComplete="new-password"
              required
              value={repeat}
              error={mismatch ? 'The two passwords differ.' : undefined}
              onChange={(e) => setRepeat(e.target.value)}
            />
            <div className="actions">
              <Dialog.Close className="button">Cancel</Dialog.Close>
              <button type="submit" className="primary" disabled={change.isPending}>
                Change password
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
