// Turns the served AgentConfig JSON Schema into the one the form is drawn
// from. Validation never uses this copy (the server judges a config); it only
// says the same thing in a shape rjsf renders well:
//
//   - A union written as `allOf` of `if {P: const V} then S` (a tool action's
//     `type`) becomes a `oneOf` of the S with a discriminator P, so the form
//     offers a choice of kind and then that kind's fields. Each S's P gets
//     its value as the default (so choosing a kind sets it) and is hidden.
//   - Every property and union option gets a human title ("Max tool steps",
//     "None" for the null of a nullable object).
import type { RJSFSchema } from '@rjsf/utils';

type Node = Record<string, unknown>;

/** The keyword marking a field the form keeps but does not show. */
export const HIDDEN = 'x-console-hidden';

const words: Record<string, string> = {
  llm: 'LLM',
  stt: 'STT',
  url: 'URL',
  uri: 'URI',
  id: 'ID',
  ids: 'IDs',
  pii: 'PII',
  dtmf: 'DTMF',
  http: 'HTTP',
  sms: 'SMS',
  webrtc: 'WebRTC',
  ms: '(ms)',
  kb: 'KB',
};

/** "max_tool_steps" → "Max tool steps", "TurnDetectionModel" → "Turn detection model". */
export function humanize(name: string): string {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((p) => p !== '')
    .map((p) => words[p.toLowerCase()] ?? p.toLowerCase());
  const text = parts.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

interface Branch {
  property: string;
  value: string;
  then: Node;
}

/** The branches of an `allOf` that is a union over one property, or null. */
function unionBranches(allOf: unknown): Branch[] | null {
  if (!Array.isArray(allOf) || allOf.length < 2) return null;
  const branches: Branch[] = [];
  for (const entry of allOf) {
    if (!isNode(entry) || !isNode(entry.if) || !isNode(entry.then) || 'else' in entry) return null;
    const props = entry.if.properties;
    if (!isNode(props)) return null;
    const keys = Object.keys(props);
    if (keys.length !== 1) return null;
    const property = keys[0]!;
    const cond = props[property];
    if (!isNode(cond) || typeof cond.const !== 'string') return null;
    branches.push({ property, value: cond.const, then: entry.then });
  }
  const property = branches[0]!.property;
  return branches.every((b) => b.property === property) ? branches : null;
}

/** Builds the form's schema from the served one (which is left as it is). */
export function formSchema(served: RJSFSchema): RJSFSchema {
  const root = structuredClone(served) as Node;
  const defs = isNode(root.$defs) ? root.$defs : {};
  const resolve = (n: Node): Node | undefined => {
    const name = refName(n.$ref);
    const target = name === undefined ? undefined : defs[name];
    return isNode(target) ? target : undefined;
  };

  const visit = (node: unknown, name?: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => visit(n, name));
      return;
    }
    if (!isNode(node)) return;

    const branches = unionBranches(node.allOf);
    if (branches) {
      const property = branches[0]!.property;
      delete node.allOf;
      if (isNode(node.properties)) delete node.properties[property];
      if (isNode(node.properties) && Object.keys(node.properties).length === 0) delete node.properties;
      if (Array.isArray(node.required)) {
        node.required = node.required.filter((r) => r !== property);
        if ((node.required as unknown[]).length === 0) delete node.required;
      }
      node.discriminator = { propertyName: property };
      node.oneOf = branches.map((b) => {
        const target = resolve(b.then) ?? b.then;
        const props = isNode(target.properties) ? target.properties : undefined;
        const p = props?.[property];
        if (isNode(p)) {
          p.default = b.value;
          p[HIDDEN] = true;
        }
        return { ...b.then, title: humanize(b.value) };
      });
    }

    for (const key of ['oneOf', 'anyOf'] as const) {
      const options = node[key];
      if (!Array.isArray(options)) continue;
      for (const option of options) {
        if (!isNode(option) || typeof option.title === 'string') continue;
        if (option.type === 'null') option.title = 'None';
        else if (typeof option.$ref === 'string') option.title = humanize(refName(option.$ref) ?? name ?? 'Value');
        else if (name) option.title = humanize(name);
      }
      // A nullable value offers "None" first: data without it shows as none.
      const nullAt = options.findIndex((o) => isNode(o) && o.type === 'null');
      if (nullAt > 0) options.unshift(...options.splice(nullAt, 1));
    }

    if (isNode(node.properties)) {
      for (const [key, prop] of Object.entries(node.properties)) {
        if (isNode(prop) && typeof prop.title !== 'string') prop.title = humanize(key);
      }
    }

    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' || key === '$defs') {
        if (isNode(value)) for (const [k, v] of Object.entries(value)) visit(v, k);
      } else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'required') {
        visit(value, name);
      }
    }
  };

  visit(root);
  // The page has its own heading; the form's outer fieldset needs none.
  root.title = '';
  return root as RJSFSchema;
}
