// The console's rjsf theme: plain HTML styled by classes in styles.css.
// rjsf's own templates set `style` attributes (the CSP allows none), draw
// buttons as icon-only glyphs and leave a union's kind select unlabelled;
// these templates do neither.
import { getDefaultRegistry } from '@rjsf/core';
import {
  ADDITIONAL_PROPERTY_FLAG,
  buttonId,
  descriptionId,
  errorId,
  getTemplate,
  getUiOptions,
  titleId,
  type ArrayFieldItemButtonsTemplateProps,
  type ArrayFieldItemTemplateProps,
  type ArrayFieldTemplateProps,
  type DescriptionFieldProps,
  type FieldErrorProps,
  type FieldHelpProps,
  type FieldProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type MultiSchemaFieldTemplateProps,
  type ObjectFieldTemplateProps,
  type OptionalDataControlsTemplateProps,
  type RegistryFieldsType,
  type RegistryWidgetsType,
  type WidgetProps,
  type RJSFSchema,
  type TemplatesType,
  type TitleFieldProps,
  type WrapIfAdditionalTemplateProps,
} from '@rjsf/utils';
import { createContext, isValidElement, useContext, useEffect, useId, useState, type ReactNode } from 'react';
import { HIDDEN, humanize } from './formSchema';

/** rjsf titles array items "Tools-2"; the form says "Tool 2". */
export function itemTitle(title: string): string {
  const m = /^(.*)-(\d+)$/.exec(title);
  return m ? `${singular(m[1]!)} ${m[2]}` : title;
}

/** "Tools" → "Tool", "Knowledge base IDs" → "Knowledge base ID". */
export function singular(title: string): string {
  if (/[^s]s$/.test(title)) return title.slice(0, -1);
  return title;
}

function isArrayItem(title: string | undefined): boolean {
  return title !== undefined && /-\d+$/.test(title);
}

/** "Voice" → "voice" for use mid-sentence; "LLM", "WebRTC" stay. */
export function lowerFirst(s: string): string {
  const first = s.split(' ')[0] ?? '';
  return /^[A-Z][a-z0-9]*$/.test(first) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

function isUnion(schema: RJSFSchema): boolean {
  return Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf);
}

/** What an array's items are called, for its buttons ("Remove tool 2"). */
const ItemNoun = createContext('item');

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema, schema } =
    props;
  if (hidden || (schema as Record<string, unknown>)[HIDDEN] === true) return null;
  const uiOptions = getUiOptions(uiSchema);
  const Wrap = getTemplate('WrapIfAdditionalTemplate', registry, uiOptions);
  const item = isArrayItem(label);
  // A union's label belongs to its kind select (MultiSchemaFieldTemplate).
  const showLabel = displayLabel && !isUnion(schema) && uiOptions.widget !== 'checkbox';
  return (
    <Wrap {...props}>
      {showLabel && label && (
        <label className="form-label" htmlFor={id}>
          {item ? itemTitle(label) : label}
          {required && !item && <RequiredMark />}
        </label>
      )}
      {displayLabel && description}
      {children}
      {errors}
      {help}
    </Wrap>
  );
}

function RequiredMark() {
  return (
    <span className="required">
      <span aria-hidden="true"> *</span>
      <span className="visually-hidden"> (required)</span>
    </span>
  );
}

function WrapIfAdditionalTemplate(props: WrapIfAdditionalTemplateProps) {
  const { id, classNames, children, label, onKeyRenameBlur, onRemoveProperty, disabled, readonly, schema, rawErrors, hideError } =
    props;
  const cls = ['form-field', classNames, !hideError && rawErrors && rawErrors.length > 0 ? 'has-error' : '']
    .filter(Boolean)
    .join(' ');
  if (!(ADDITIONAL_PROPERTY_FLAG in schema)) return <div className={cls}>{children}</div>;
  return (
    <div className={`${cls} additional-property`}>
      <div className="form-field">
        <label className="form-label" htmlFor={`${id}-key`}>
          Key
        </label>
        <input type="text" id={`${id}-key`} onBlur={onKeyRenameBlur} defaultValue={label} key={label} disabled={disabled || readonly} />
      </div>
      <div className="additional-value">{children}</div>
      <button
        type="button"
        className="secondary small"
        id={buttonId(id, 'remove')}
        onClick={onRemoveProperty}
        disabled={disabled || readonly}
        aria-label={`Remove ${label}`}
      >
        Remove
      </button>
    </div>
  );
}

function TitleFieldTemplate({ id, title, optionalDataControl }: TitleFieldProps) {
  const item = isArrayItem(title);
  return (
    <>
      <legend id={id}>{item ? itemTitle(title) : title}</legend>
      {optionalDataControl && <div className="legend-control">{optionalDataControl}</div>}
    </>
  );
}

function DescriptionFieldTemplate({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <p id={id} className="hint">
      {description}
    </p>
  );
}

function FieldErrorTemplate({ errors = [], fieldPathId }: FieldErrorProps) {
  const shown = errors.filter((e) => e !== '' && e !== null && e !== undefined);
  if (shown.length === 0) return null;
  return (
    <ul id={errorId(fieldPathId)} className="field-errors">
      {shown.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}

function FieldHelpTemplate({ help }: FieldHelpProps) {
  if (!help) return null;
  return <p className="hint">{help}</p>;
}

function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const { description, disabled, fieldPathId, optionalDataControl, properties, readonly, registry, required, schema, title, uiSchema, formData, onAddProperty } =
    props;
  const options = getUiOptions(uiSchema);
  if (isUnion(schema) && !schema.properties && properties.length === 0) return null;
  const Title = getTemplate('TitleFieldTemplate', registry, options);
  const Description = getTemplate('DescriptionFieldTemplate', registry, options);
  const editable = !readonly && !disabled;
  const remove = useContext(RemoveObject);
  const removeControl = remove && title && (
    <button type="button" className="secondary small" id={buttonId(fieldPathId, 'remove')} onClick={remove}>
      Remove {lowerFirst(title)}
    </button>
  );
  const expandable =
    schema.additionalProperties !== undefined &&
    schema.additionalProperties !== false &&
    (schema.maxProperties === undefined || Object.keys((formData as object | undefined) ?? {}).length < schema.maxProperties);
  const contents = (
    <>
      {description && (
        <Description id={descriptionId(fieldPathId)} description={description} schema={schema} uiSchema={uiSchema} registry={registry} />
      )}
      {!editable && optionalDataControl}
      {properties.filter((p) => !p.hidden).map((p) => p.content)}
      {expandable && editable && (formData !== undefined || !optionalDataControl) && (
        <button type="button" className="secondary small" id={buttonId(fieldPathId, 'add')} onClick={onAddProperty}>
          Add {title ? lowerFirst(singular(title)) : 'entry'} entry
        </button>
      )}
    </>
  );
  if (!title) return <div id={fieldPathId.$id}>{contents}</div>;
  return (
    <fieldset className="form-group" id={fieldPathId.$id}>
      <Title
        id={titleId(fieldPathId)}
        title={title}
        required={required}
        schema={schema}
        uiSchema={uiSchema}
        registry={registry}
        optionalDataControl={editable ? (optionalDataControl ?? removeControl) : undefined}
      />
      {contents}
    </fieldset>
  );
}

function ArrayFieldTemplate(props: ArrayFieldTemplateProps) {
  const { canAdd, disabled, fieldPathId, uiSchema, items, optionalDataControl, onAddClick, readonly, registry, required, schema, title } =
    props;
  const options = getUiOptions(uiSchema);
  const Title = getTemplate('TitleFieldTemplate', registry, options);
  const Description = getTemplate('DescriptionFieldTemplate', registry, options);
  const editable = !readonly && !disabled;
  const label = options.title || title || 'Items';
  const noun = lowerFirst(singular(label));
  return (
    <fieldset className="form-group array" id={fieldPathId.$id}>
      <Title
        id={titleId(fieldPathId)}
        title={label}
        required={required}
        schema={schema}
        uiSchema={uiSchema}
        registry={registry}
        optionalDataControl={editable ? optionalDataControl : undefined}
      />
      {schema.description && (
        <Description id={descriptionId(fieldPathId)} description={schema.description} schema={schema} uiSchema={uiSchema} registry={registry} />
      )}
      {!editable && optionalDataControl}
      <ItemNoun.Provider value={noun}>
        <ol className="array-items">{items}</ol>
      </ItemNoun.Provider>
      {items.length === 0 && !optionalDataControl && <p className="hint">None.</p>}
      {canAdd && editable && (
        <button type="button" className="secondary small" id={buttonId(fieldPathId, 'add')} onClick={onAddClick}>
          Add {noun}
        </button>
      )}
    </fieldset>
  );
}

function ArrayFieldItemTemplate(props: ArrayFieldItemTemplateProps) {
  const { children, buttonsProps, hasToolbar, registry, uiSchema, readonly, disabled } = props;
  const Buttons = getTemplate('ArrayFieldItemButtonsTemplate', registry, getUiOptions(uiSchema));
  return (
    <li className="array-item">
      <div className="array-item-body">{children}</div>
      {hasToolbar && !readonly && !disabled && (
        <div className="array-item-toolbar">
          <Buttons {...buttonsProps} />
        </div>
      )}
    </li>
  );
}

function ArrayFieldItemButtonsTemplate(props: ArrayFieldItemButtonsTemplateProps) {
  const { disabled, hasCopy, hasMoveDown, hasMoveUp, hasRemove, fieldPathId, index, onCopyItem, onRemoveItem, onMoveDownItem, onMoveUpItem, readonly } =
    props;
  const noun = useContext(ItemNoun);
  const which = `${noun} ${index + 1}`;
  const off = disabled || readonly;
  return (
    <>
      {(hasMoveUp || hasMoveDown) && (
        <button type="button" className="secondary small" id={buttonId(fieldPathId, 'moveUp')} disabled={off || !hasMoveUp} onClick={onMoveUpItem} aria-label={`Move ${which} up`}>
          Up
        </button>
      )}
      {(hasMoveUp || hasMoveDown) && (
        <button type="button" className="secondary small" id={buttonId(fieldPathId, 'moveDown')} disabled={off || !hasMoveDown} onClick={onMoveDownItem} aria-label={`Move ${which} down`}>
          Down
        </button>
      )}
      {hasCopy && (
        <button type="button" className="secondary small" id={buttonId(fieldPathId, 'copy')} disabled={off} onClick={onCopyItem} aria-label={`Copy ${which}`}>
          Copy
        </button>
      )}
      {hasRemove && (
        <button type="button" className="danger small" id={buttonId(fieldPathId, 'remove')} disabled={off} onClick={onRemoveItem} aria-label={`Remove ${which}`}>
          Remove
        </button>
      )}
    </>
  );
}

function MultiSchemaFieldTemplate({ selector, optionSchemaField, schema }: MultiSchemaFieldTemplateProps) {
  const selectId = isValidElement<{ id?: string }>(selector) ? selector.props.id : undefined;
  const discriminator = (schema as { discriminator?: { propertyName?: string } }).discriminator?.propertyName;
  const label = discriminator ? humanize(discriminator) : schema.title || 'Kind';
  // Inside a list ("Action 2"), say which item the select belongs to.
  const noun = useContext(ItemNoun);
  const index = selectId ? /_(\d+)__(?:one|any)of_select$/.exec(selectId)?.[1] : undefined;
  const which = index === undefined ? '' : `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${Number(index) + 1} `;
  return (
    <div className="union">
      {selector && (
        <div className="form-field">
          {selectId && (
            <label className="form-label" htmlFor={selectId}>
              {which && <span className="visually-hidden">{which}</span>}
              {label}
            </label>
          )}
          {selector}
        </div>
      )}
      {optionSchemaField}
    </div>
  );
}

function OptionalDataControlsTemplate({ id, onAddClick, onRemoveClick, schema }: OptionalDataControlsTemplateProps) {
  const what = schema.title ? lowerFirst(schema.title) : 'this';
  if (onAddClick) {
    return (
      <button type="button" id={id} className="secondary small" onClick={onAddClick}>
        Add {what}
      </button>
    );
  }
  if (onRemoveClick) {
    return (
      <button type="button" id={id} className="secondary small" onClick={onRemoveClick}>
        Remove {what}
      </button>
    );
  }
  // Read-only and empty.
  return (
    <em id={id} className="hint">
      Not set
    </em>
  );
}

function TextButton({ children, ...props }: IconButtonProps & { children: ReactNode }) {
  const { id, className, onClick, disabled, title } = props;
  return (
    <button type="button" id={id} className={`secondary small ${className ?? ''}`} onClick={onClick} disabled={disabled} aria-label={title}>
      {children}
    </button>
  );
}

const defaults = getDefaultRegistry();

/** Objects that are free-form JSON (no properties, anything allowed) get a JSON textarea. */
function isFreeForm(schema: RJSFSchema): boolean {
  if (schema.type !== 'object' || isUnion(schema)) return false;
  if (schema.additionalProperties !== true && schema.additionalProperties !== undefined) return false;
  // rjsf lists the keys the data already has as (flagged) properties.
  return Object.values(schema.properties ?? {}).every(
    (p) => typeof p === 'object' && p !== null && ADDITIONAL_PROPERTY_FLAG in p,
  );
}

function JsonObjectField(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, name, disabled, readonly, rawErrors } = props;
  const id = fieldPathId.$id;
  const [text, setText] = useState(() => (formData === undefined ? '' : JSON.stringify(formData, null, 2)));
  const [problem, setProblem] = useState<string>();
  const problemId = useId();
  // Follow changes made elsewhere (undo, the raw JSON view).
  useEffect(() => {
    setText((current) => {
      try {
        if (JSON.stringify(JSON.parse(current || 'null')) === JSON.stringify(formData ?? null)) return current;
      } catch {
        // the user is mid-edit: keep the text
        return current;
      }
      return formData === undefined ? '' : JSON.stringify(formData, null, 2);
    });
  }, [formData]);
  const label = schema.title || humanize(name);
  return (
    <div className="form-field">
      <label className="form-label" htmlFor={id}>
        {label} <span className="muted">(JSON object)</span>
      </label>
      {schema.description && (
        <p id={descriptionId(fieldPathId)} className="hint">
          {schema.description}
        </p>
      )}
      <textarea
        id={id}
        className="code"
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        value={text}
        readOnly={readonly}
        disabled={disabled}
        spellCheck={false}
        aria-invalid={problem ? true : undefined}
        aria-describedby={[schema.description ? descriptionId(fieldPathId) : '', problem ? problemId : '', rawErrors?.length ? errorId(fieldPathId) : ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => {
          const next = e.target.value;
          setText(next);
          if (next.trim() === '') {
            setProblem(undefined);
            onChange(undefined, fieldPathId.path);
            return;
          }
          try {
            const value: unknown = JSON.parse(next);
            if (typeof value !== 'object' || value === null || Array.isArray(value)) {
              setProblem('Enter a JSON object, like {"key": "value"}.');
              return;
            }
            setProblem(undefined);
            onChange(value, fieldPathId.path);
          } catch {
            setProblem('This is not valid JSON yet; the last valid value is kept.');
          }
        }}
      />
      {problem && (
        <p id={problemId} className="field-errors">
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * An optional object: absent until "Add …", removable after. (rjsf's own
 * optional-data controls treat `{}` as absent, so an object whose fields are
 * all optional or have no default could never be added.)
 */
const RemoveObject = createContext<(() => void) | null>(null);

function ObjectField(props: FieldProps) {
  const { schema, required, fieldPathId, formData, onChange, readonly, disabled, name } = props;
  if (isFreeForm(schema)) return <JsonObjectField {...props} />;
  const Default = defaults.fields.ObjectField!;
  const optional = !required && fieldPathId.path.length > 0 && !isUnion(schema);
  const title = schema.title || humanize(name);
  if (optional && formData === undefined) {
    return (
      <fieldset className="form-group absent" id={fieldPathId.$id}>
        <legend id={titleId(fieldPathId)}>{title}</legend>
        <div className="legend-control">
          {readonly || disabled ? (
            <em className="hint">Not set</em>
          ) : (
            <button type="button" className="secondary small" id={buttonId(fieldPathId, 'add')} onClick={() => onChange({} as never, fieldPathId.path)}>
              Add {lowerFirst(title)}
            </button>
          )}
        </div>
      </fieldset>
    );
  }
  const remove = optional && !readonly && !disabled ? () => onChange(undefined, fieldPathId.path) : null;
  return (
    <RemoveObject.Provider value={remove}>
      <Default {...props} />
    </RemoveObject.Provider>
  );
}

export const fields: RegistryFieldsType = { ObjectField };

/** Long text (a prompt, a request body) gets a textarea. */
function TextWidget(props: WidgetProps) {
  const Text = defaults.widgets.TextWidget!;
  const Textarea = defaults.widgets.TextareaWidget!;
  const max = props.schema.maxLength;
  if (props.schema.type === 'string' && !props.schema.format && typeof max === 'number' && max >= 4000) {
    return <Textarea {...props} options={{ rows: max >= 100000 ? 8 : 3, ...props.options }} />;
  }
  return <Text {...props} />;
}

export const widgets: RegistryWidgetsType = { TextWidget };

export const templates: Partial<TemplatesType> = {
  FieldTemplate,
  WrapIfAdditionalTemplate,
  TitleFieldTemplate,
  DescriptionFieldTemplate,
  FieldErrorTemplate,
  FieldHelpTemplate,
  ObjectFieldTemplate,
  ArrayFieldTemplate,
  ArrayFieldItemTemplate,
  ArrayFieldItemButtonsTemplate,
  MultiSchemaFieldTemplate,
  OptionalDataControlsTemplate,
  ButtonTemplates: {
    SubmitButton: () => null,
    AddButton: (p: IconButtonProps) => <TextButton {...p}>Add</TextButton>,
    CopyButton: (p: IconButtonProps) => <TextButton {...p}>Copy</TextButton>,
    MoveDownButton: (p: IconButtonProps) => <TextButton {...p}>Down</TextButton>,
    MoveUpButton: (p: IconButtonProps) => <TextButton {...p}>Up</TextButton>,
    RemoveButton: (p: IconButtonProps) => <TextButton {...p}>Remove</TextButton>,
    ClearButton: (p: IconButtonProps) => <TextButton {...p}>Clear</TextButton>,
  },
};

