/**
 * `/journeys/:id`: the visual editor of a journey's draft (loaded lazily: the canvas and its
 * libraries are not part of the other pages). Opens the server's draft, or a blank one for a new
 * journey (`?name=` from the "New journey" dialog); saves as it goes; says when the draft was
 * changed elsewhere, and offers to reload it or overwrite it. Viewers see it read-only.
 */
import '@xyflow/react/dist/style.css';
import '../journey-editor/editor.css';
import { ReactFlowProvider } from '@xyflow/react';
import { ArrowLeft } from 'lucide-react';
import { Link, useParams, useSearch } from 'wouter';
import { FormAlert } from '../components/form.tsx';
import { useTitle } from '../components/use-title.ts';
import { JourneyEditor } from '../journey-editor/editor.tsx';
import { PublishButton } from '../journey-editor/publish-dialog.tsx';
import { useSavedDraft, type SaveState } from '../journey-editor/use-saved-draft.ts';
import { canEdit, useSession } from '../session.tsx';

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The few words of the saving state. */
function SaveStatus({ save }: { save: SaveState }) {
  const text =
    save.state === 'pending'
      ? 'Unsaved changes'
      : save.state === 'saving'
        ? 'Saving…'
        : save.state === 'saved'
          ? 'All changes saved'
          : save.state === 'failed'
            ? `Not saved: ${save.message}`
            : save.state === 'idle'
              ? ''
              : 'Not saved';
  return (
    <span className="save-status muted" role="status">
      {text}
    </span>
  );
}

/** The journey editor page. */
export default function JourneyPage() {
  const { id = '' } = useParams<{ id: string }>();
  const name = new URLSearchParams(useSearch()).get('name') ?? '';
  const { workspace } = useSession();
  const editor = canEdit(workspace?.role);
  const saved = useSavedDraft(id, name);
  const { opened, save } = saved;
  const title =
    opened.state === 'open' && typeof opened.draft.document.name === 'string'
      ? opened.draft.document.name
      : id;
  useTitle(title);

  return (
    <section className="journey-page" aria-labelledby="journey-title">
      <header className="page-head">
        <Link href="/journeys" className="back">
          <ArrowLeft size={14} aria-hidden="true" /> Journeys
        </Link>
        <h1 id="journey-title">{title}</h1>
        {!editor && <span className="badge">Read only</span>}
      </header>
      {save.state === 'conflict' && (
        <div className="alert" role="alert">
          <p>
            This draft was changed elsewhere
            {save.by || save.at
              ? ` (${[save.by && `by ${save.by}`, save.at && time.format(new Date(save.at))]
                  .filter(Boolean)
                  .join(', ')})`
              : ''}
            . Reload it, or keep yours and overwrite.
          </p>
          <div className="actions">
            <button type="button" onClick={() => void saved.reload()}>
              Reload
            </button>
            <button type="button" className="danger" onClick={() => void saved.overwrite()}>
              Keep mine and overwrite
            </button>
          </div>
        </div>
      )}
      {save.state === 'no-route' && <FormAlert>{save.message}</FormAlert>}
      {opened.state === 'loading' ? (
        <p role="status">Opening the draft…</p>
      ) : opened.state === 'failed' ? (
        <FormAlert>The draft could not be opened: {opened.message}.</FormAlert>
      ) : (
        <ReactFlowProvider key={opened.key}>
          <JourneyEditor
            initial={opened.draft}
            readOnly={!editor}
            onChange={saved.changed}
            actions={({ errors }) => (
              <>
                <SaveStatus save={save} />
                {editor && (
                  <PublishButton
                    disabled={errors > 0 || save.state === 'no-route' || save.state === 'conflict'}
                    why={
                      errors > 0
                        ? `Fix the ${errors} error${errors === 1 ? '' : 's'} to publish.`
                        : null
                    }
                    publish={saved.publish}
                  />
                )}
              </>
            )}
          />
        </ReactFlowProvider>
      )}
    </section>
  );
}
