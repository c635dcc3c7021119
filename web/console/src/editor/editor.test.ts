/// <reference types="node" />
import type { RJSFSchema } from '@rjsf/utils';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeErrors } from './errors';
import { formSchema, HIDDEN, humanize } from './formSchema';
import { validator } from './validator';

const served = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/agent-config-schema.json'), 'utf8')) as RJSFSchema;
type Defs = Record<string, Record<string, unknown>>;

describe('form schema', () => {
  it('turns the if/then union of tool actions into a discriminated oneOf', () => {
    const before = JSON.stringify(served);
    const shown = formSchema(served);
    expect(JSON.stringify(served)).toBe(before); // the served schema is left alone
    const defs = shown.$defs as Defs;
    const action = defs.Action!;
    expect(action.allOf).toBeUndefined();
    expect(action.discriminator).toEqual({ propertyName: 'type' });
    const options = action.oneOf as { $ref: string; title: string }[];
    const kinds = ((served.$defs as Defs).Action!.properties as Record<string, { enum: string[] }>).type!.enum;
    expect(options).toHaveLength(kinds.length);
    expect(options[0]).toEqual({ $ref: '#/$defs/PlayMessageAction', title: 'Play message' });
    const http = (defs.HTTPAction!.properties as Record<string, Record<string, unknown>>).type!;
    expect(http.default).toBe('http');
    expect(http[HIDDEN]).toBe(true);
  });

  it('titles fields and offers None first for nullable values', () => {
    const defs = formSchema(served).$defs as Defs;
    const props = defs.AgentConfig!.properties as Record<string, { title?: string; oneOf?: { title: string }[] }>;
    expect(props.max_tool_steps!.title).toBe('Max tool steps');
    expect(props.stt!.title).toBe('STT');
    expect(props.starting_message!.oneOf!.map((o) => o.title)).toEqual(['None', 'Starting message']);
    expect(humanize('knowledge_base_ids')).toBe('Knowledge base IDs');
    expect(humanize('TurnDetectionModel')).toBe('Turn detection model');
  });
});

describe('validator', () => {
  const shown = formSchema(served);

  it('decides conditions and unions without compiling code', () => {
    const cond = { properties: { type: { const: 'http' } }, required: ['type'] } as RJSFSchema;
    expect(validator.isValid(cond, { type: 'http' }, served)).toBe(true);
    expect(validator.isValid(cond, { type: 'wait' }, served)).toBe(false);
    // $refs resolve against the root's $defs.
    expect(validator.isValid({ $ref: '#/$defs/WaitAction' }, { type: 'wait', seconds: 1 }, shown)).toBe(true);
    expect(validator.isValid({ $ref: '#/$defs/WaitAction' }, { type: 'wait', url: 'x' }, shown)).toBe(false);
    expect(validator.isValid({ type: 'null' }, undefined, shown)).toBe(true);
  });

  it('finds the errors of a whole config', () => {
    const { errors, errorSchema } = validator.validateFormData({ max_tool_steps: 500, tools: [{ name: 'x', actions: [{ type: 'wait' }] }] }, served);
    expect(errors.map((e) => e.property)).toEqual(expect.arrayContaining(['.max_tool_steps', '.tools.0.actions.0']));
    expect((errorSchema as Record<string, { __errors?: string[] }>).max_tool_steps?.__errors?.length).toBe(1);
    expect(validator.validateFormData({ max_tool_steps: 5 }, served).errors).toEqual([]);
  });
});

describe('server errors', () => {
  it('places errors by their loc and keeps the rest aside', () => {
    const { errorSchema, placed, other } = placeErrors(
      [
        { loc: ['body', 'config', 'tools', 0, 'actions', 1, 'url'], msg: 'tools.0.actions.1.url: bad', type: 'x' },
        { loc: ['body', 'config'], msg: 'config must be an object', type: 'x' },
        { loc: ['body', 'description'], msg: 'too long', type: 'x' },
      ],
      ['body', 'config'],
    );
    expect(errorSchema).toEqual({
      tools: { 0: { actions: { 1: { url: { __errors: ['bad'] } } } } },
      __errors: ['config must be an object'],
    });
    expect(placed.map((p) => [p.where, p.fieldId, p.message])).toEqual([
      ['tools[0].actions[1].url', 'root_tools_0_actions_1_url', 'bad'],
      ['', 'root', 'config must be an object'],
    ]);
    expect(other.map((o) => o.msg)).toEqual(['too long']);
  });
});
