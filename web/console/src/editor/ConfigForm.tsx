// An agent config as a form generated from the served JSON Schema (rjsf).
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { useMemo } from 'react';
import { formSchema } from './formSchema';
import { fields, templates, widgets } from './theme';
import { validator } from './validator';

export type Config = Record<string, unknown>;

const uiSchema: UiSchema = {
  'ui:globalOptions': {
    // An optional list shows an "Add …" button until it has data (optional
    // objects do the same through theme.tsx's ObjectField), so an absent
    // voice stays absent instead of becoming a half-filled one.
    enableOptionalDataFieldForType: ['array'],
  },
  'ui:submitButtonOptions': { norender: true },
};

interface ConfigFormProps {
  /** The schema as GET /core/agent-config-schema serves it. */
  schema: RJSFSchema;
  value: Config;
  onChange(value: Config): void;
  readOnly?: boolean;
  /** The server's errors, placed by path. */
  errors?: ErrorSchema;
  onSubmit?(): void;
}

export function ConfigForm({ schema, value, onChange, readOnly, errors, onSubmit }: ConfigFormProps) {
  const shown = useMemo(() => formSchema(schema), [schema]);
  return (
    <Form
      className="config-form"
      schema={shown}
      uiSchema={uiSchema}
      validator={validator}
      fields={fields}
      widgets={widgets}
      templates={templates}
      formData={value}
      readonly={readOnly}
      noHtml5Validate
      showErrorList={false}
      extraErrors={errors}
      experimental_defaultFormStateBehavior={{ emptyObjectFields: 'populateRequiredDefaults' }}
      onChange={(e) => onChange((e.formData ?? {}) as Config)}
      onSubmit={() => onSubmit?.()}
    />
  );
}
