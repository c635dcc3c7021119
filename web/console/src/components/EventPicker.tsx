// The events a webhook subscribes to (SPEC §18): everything ("*"), every
// event of a resource ("agent.*") or single event types, as checkboxes.
// A broader choice hides the narrower ones it covers.
import { byResource, eventTypes, humanResource, resourceOf } from '../events';

interface EventPickerProps {
  /** Prefix of the checkboxes' ids, unique on the page. */
  id: string;
  value: string[];
  onChange(value: string[]): void;
}

export function EventPicker({ id, value, onChange }: EventPickerProps) {
  const all = value.includes('*');
  const toggle = (pattern: string, on: boolean) => {
    if (pattern === '*') return onChange(on ? ['*'] : []);
    if (!on) return onChange(value.filter((p) => p !== pattern));
    if (pattern.endsWith('.*')) {
      const resource = pattern.slice(0, -2);
      return onChange([...value.filter((p) => p.endsWith('.*') || resourceOf(p) !== resource), pattern]);
    }
    onChange([...value, pattern]);
  };
  const box = (pattern: string, label: string, className = '') => (
    <label className={`checkbox-field ${className}`} htmlFor={`${id}-${pattern}`}>
      <input
        id={`${id}-${pattern}`}
        type="checkbox"
        checked={value.includes(pattern)}
        onChange={(e) => toggle(pattern, e.target.checked)}
      />
      {label}
    </label>
  );

  return (
    <fieldset className="choices events">
      <legend>Events</legend>
      <p className="hint">The events sent to this endpoint. A test event can be sent whatever is chosen.</p>
      {box('*', 'All events (*)')}
      {!all && (
        <ul className="event-groups">
          {byResource(eventTypes).map(([resource, types]) => {
            const every = value.includes(`${resource}.*`);
            return (
              <li key={resource}>
                {box(`${resource}.*`, `Every ${humanResource(resource)} event (${resource}.*)`, 'event-group')}
                {!every && (
                  <ul className="event-list">
                    {types.map((t) => (
                      <li key={t}>{box(t, t, 'small-text')}</li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
