/** Publishing the draft: an optional note, then the version it became (or why it did not). */
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { FormAlert } from '../components/form.tsx';

/** The Publish button and its dialog. */
export function PublishButton({
  disabled,
  why,
  publish,
}: {
  disabled: boolean;
  /** Why it is disabled, said beside it. */
  why: string | null;
  publish(note: string): Promise<{ version: number }>;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const field = useId();
  const run = useMutation({
    mutationFn: () => publish(note.trim()),
    onSuccess: () => {
      setOpen(false);
      setNote('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  return (
    <>
      {run.isSuccess && (
        <span className="muted" role="status">
          Published as version {run.data.version}
        </span>
      )}
      <button
        type="button"
        className="primary"
        disabled={disabled}
        aria-describedby={why ? `${field}-why` : undefined}
        onClick={() => {
          run.reset();
          setOpen(true);
        }}
      >
        Publish
      </button>
      {why && (
        <span id={`${field}-why`} className="visually-hidden">
          {why}
        </span>
      )}
      <Dialog.Root open={open} onOpenChange={setOpen}>
        <Dialog.Portal>
          <Dialog.Overlay className="overlay" />
          <Dialog.Content className="dialog">
            <Dialog.Title>Publish this draft</Dialog.Title>
            <Dialog.Description className="muted">
              New runs follow the published version; runs on the way stay on theirs.
            </Dialog.Description>
            <form onSubmit={submit}>
              <FormAlert>
                {run.isError
                  ? run.error instanceof Error
                    ? run.error.message
                    : 'Waymark could not be reached.'
                  : null}
              </FormAlert>
              <div className="field">
                <label htmlFor={field}>Note (optional)</label>
                <textarea
                  id={field}
                  rows={3}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                />
              </div>
              <div className="actions">
                <Dialog.Close className="button">Cancel</Dialog.Close>
                <button type="submit" className="primary" disabled={run.isPending}>
                  Publish
                </button>
              </div>
            </form>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </>
  );
}
