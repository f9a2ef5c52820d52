/**
 * A send's template: the id of one of the draft's templates (suggested from them), and the
 * template itself edited in place — subject and HTML for email, the text for other channels — or
 * created in place when the id names none yet.
 */
import type { InputProps } from './field-widgets.tsx';

/** The draft's templates, by id, as the document holds them. */
export type Templates = Record<string, Record<string, unknown>>;

/** The templates of a draft (`templates:`), each a JSON object. */
export function templatesOf(value: unknown): Templates {
  const out: Templates = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [id, template] of Object.entries(value))
    if (typeof template === 'object' && template !== null && !Array.isArray(template))
      out[id] = { ...template };
  return out;
}

/** The fields a template of a channel is written in. */
const fieldsOf = (channel: string | undefined): Array<['subject' | 'html' | 'body', string]> =>
  channel === 'email'
    ? [
        ['subject', 'Subject'],
        ['html', 'HTML'],
      ]
    : [['body', 'Text']];

/** A template id with the template beside it. */
export function TemplateInput({
  id,
  value,
  onChange,
  describedBy,
  invalid,
  channel,
  templates,
  onTemplates,
}: InputProps<string> & {
  channel: string | undefined;
  templates: Templates;
  onTemplates(next: Templates): void;
}) {
  const suggestions = Object.entries(templates)
    .filter(([, t]) => t.channel === undefined || t.channel === channel)
    .map(([name]) => name);
  const template = value === undefined ? undefined : templates[value];
  const set = (key: string, text: string) => {
    if (value === undefined || !template) return;
    const next = { ...template };
    if (text === '') delete next[key];
    else next[key] = text;
    onTemplates({ ...templates, [value]: next });
  };
  return (
    <div className="template-input">
      <input
        id={id}
        list={`${id}-templates`}
        value={value ?? ''}
        placeholder="basket_email"
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value.trim())}
      />
      <datalist id={`${id}-templates`}>
        {suggestions.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {value !== undefined && !template && (
        <button
          type="button"
          className="small"
          onClick={() =>
            onTemplates({ ...templates, [value]: channel === undefined ? {} : { channel } })
          }
        >
          Create template “{value}”
        </button>
      )}
      {template && (
        <fieldset className="template-fields">
          <legend>Template “{value}”</legend>
          {fieldsOf(channel).map(([key, label]) => {
            const text = typeof template[key] === 'string' ? template[key] : '';
            const field = `${id}-${key}`;
            return (
              <div className="field" key={key}>
                <label htmlFor={field}>{label}</label>
                {key === 'subject' ? (
                  <input id={field} value={text} onChange={(e) => set(key, e.target.value)} />
                ) : (
                  <textarea
                    id={field}
                    rows={key === 'html' ? 5 : 3}
                    value={text}
                    onChange={(e) => set(key, e.target.value)}
                  />
                )}
              </div>
            );
          })}
        </fieldset>
      )}
    </div>
  );
}
