/**
 * "New journey": asks for a name, makes an id from it (`Basket reminder` → `basket_reminder`,
 * with `_2` when taken) and opens the editor on a blank draft of that id.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { Field } from './form.tsx';

/** An id from a name: lower-case letters and digits joined by `_`, not one of `taken`. */
export function idFromName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 100) || 'journey';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** The button and its dialog. */
export function NewJourneyButton({ taken }: { taken: ReadonlySet<string> }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [, navigate] = useLocation();
  const id = idFromName(name, taken);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') return;
    navigate(`/journeys/${id}?name=${encodeURIComponent(name.trim())}`);
  };
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger className="button primary">
        <Plus size={14} aria-hidden="true" /> New journey
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>New journey</Dialog.Title>
          <Dialog.Description className="muted">
            Give it a name; you build it on the canvas next.
          </Dialog.Description>
          <form onSubmit={submit}>
            <Field
              label="Journey name"
              required
              autoFocus
              value={name}
              hint={name.trim() ? `Its id: ${id}` : 'For example: Basket reminder'}
              onChange={(e) => setName(e.target.value)}
            />
            <div className="actions">
              <Dialog.Close className="button">Cancel</Dialog.Close>
              <button type="submit" className="primary">
                Create and open
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
