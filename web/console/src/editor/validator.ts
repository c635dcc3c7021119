// The version editor's JSON Schema validator for rjsf. rjsf asks a validator
// which branch of a oneOf or an if/then applies to the data; the usual one,
// @rjsf/validator-ajv8, compiles schemas with `new Function`, which the
// console's CSP (script-src 'self') forbids. This one interprets the schema
// instead (@cfworker/json-schema, draft 2020-12, no code generation). The
// server stays the judge of a config: the editor shows the errors of
// POST /core/agent-config-schema/validate and of a save, not this one's.
import { validate, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { RJSFSchema, RJSFValidationError, ValidationData, ValidatorType } from '@rjsf/utils';

type Json = unknown;

/** A schema to check against, with the root's $defs so "#/$defs/X" resolves. */
function standalone(schema: RJSFSchema, rootSchema: RJSFSchema): Schema {
  // A copy: the interpreter records resolved URIs on the objects it is given,
  // and rjsf hands over the same sub-schemas under different roots.
  const copy = structuredClone(schema) as Record<string, unknown>;
  if (schema !== rootSchema && rootSchema.$defs && !('$defs' in copy)) copy.$defs = structuredClone(rootSchema.$defs);
  if (typeof rootSchema.$id === 'string') copy.$id = rootSchema.$id;
  delete copy.$schema;
  return copy as Schema;
}

/** Drops what JSON can't carry (undefined members), as a request body would. */
function asJson(value: Json): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** JSON pointer "#/a/0/b" as rjsf's property path ".a.0.b". */
function property(instanceLocation: string): string {
  const parts = instanceLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p).replaceAll('~1', '/').replaceAll('~0', '~'));
  return parts.length === 0 ? '' : `.${parts.join('.')}`;
}

// Keywords whose failure only says that something beneath failed.
const wrappers = new Set(['properties', 'items', 'prefixItems', '$ref', 'allOf', 'if', 'then', 'else']);

export class InterpretingValidator implements ValidatorType {
  private cache = new Map<string, Schema>();

  private compiled(schema: RJSFSchema, rootSchema: RJSFSchema): Schema {
    const key = JSON.stringify(schema) + (schema === rootSchema ? '' : String(rootSchema.$id ?? ''));
    let s = this.cache.get(key);
    if (!s) {
      s = standalone(schema, rootSchema);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(key, s);
    }
    return s;
  }

  isValid(schema: RJSFSchema, formData: Json, rootSchema: RJSFSchema): boolean {
    if (typeof schema !== 'object' || schema === null) return Boolean(schema);
    try {
      return validate(asJson(formData), this.compiled(schema, rootSchema), '2020-12').valid;
    } catch {
      return false;
    }
  }

  rawValidation<Result = OutputUnit>(schema: RJSFSchema, formData?: Json): { errors?: Result[]; validationError?: Error } {
    try {
      const out = validate(asJson(formData), this.compiled(schema, schema), '2020-12', undefined, false);
      return { errors: out.valid ? undefined : (out.errors as Result[]) };
    } catch (err) {
      return { validationError: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  validateFormData(formData: Json, schema: RJSFSchema): ValidationData<Json> {
    const { errors = [], validationError } = this.rawValidation<OutputUnit>(schema, formData);
    const list: RJSFValidationError[] = errors
      .filter((e) => !wrappers.has(e.keyword))
      .map((e) => ({
        name: e.keyword,
        property: property(e.instanceLocation),
        message: e.error,
        stack: `${property(e.instanceLocation) || '.'} ${e.error}`,
        schemaPath: e.keywordLocation,
      }));
    if (validationError) list.push({ name: 'schema', message: validationError.message, stack: validationError.message });
    const errorSchema: Record<string, unknown> = {};
    for (const e of list) {
      let node = errorSchema;
      for (const part of (e.property ?? '').split('.').filter((p) => p !== '')) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
      ((node.__errors ??= []) as string[]).push(e.message ?? '');
    }
    return { errors: list, errorSchema: errorSchema as ValidationData<Json>['errorSchema'] };
  }
}

export const validator = new InterpretingValidator();
