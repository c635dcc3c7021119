import { useId, useRef, useState, type ReactNode } from 'react';

/**
 * A secret shown once: a read-only field, a copy button and a warning. The
 * copy uses the Clipboard API; where it is missing or refused (plain http
 * off localhost, a denied permission) the text is selected instead so that
 * Ctrl+C / ⌘C copies it.
 */
export function SecretOnce({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState('');

  const selectText = () => {
    input.current?.focus();
    input.current?.select();
  };

  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setStatus('Copied to the clipboard.');
    } catch {
      selectText();
      setStatus('Could not copy automatically: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  };

  return (
    <div className="secret">
      {children}
      <label htmlFor={inputId}>{label}</label>
      <div className="secret-row">
        <input
          id={inputId}
          ref={input}
          readOnly
          value={value}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy<span className="visually-hidden"> {label.toLowerCase()}</span>
        </button>
      </div>
      <p className="copy-status" role="status">
        {status}
      </p>
    </div>
  );
}
