// The audit actions (SPEC §17) and webhook event types (SPEC §18) the
// filters and the webhook form offer. The API types carry the actions only
// as a type, so they are listed here; the check below fails the build when
// the API gains an action this list lacks.
import type { Schemas } from './api/client';

type AuditAction = Schemas['AuditAction'];

/** Every audit action, in SPEC §17's order. */
export const auditActions = [
  'agent.created',
  'agent.updated',
  'agent.deleted',
  'version.created',
  'version.updated',
  'version.published',
  'agent.rolled_back',
  'rollout.started',
  'rollout.promoted',
  'rollout.aborted',
  'phone_number.created',
  'phone_number.updated',
  'phone_number.deleted',
  'sip.deployed',
  'sip.undeployed',
  'web_widget.created',
  'web_widget.updated',
  'web_widget.deleted',
  'credential.created',
  'credential.revoked',
  'member.added',
  'member.updated',
  'member.removed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'conversation.created',
  'conversation.updated',
  'organization.created',
  'console.login',
  'console.logout',
  'workflow.started',
] as const satisfies readonly AuditAction[];

type Never<T extends never> = T;
/** A build error names any action of the API missing from auditActions. */
export type MissingAuditActions = Never<Exclude<AuditAction, (typeof auditActions)[number]>>;

/** The events that are not changes, so not audit actions. */
const otherEvents = [
  'workflow.succeeded',
  'workflow.failed',
  'conversation.started',
  'conversation.completed',
  'phone_number.pinned',
];

/** Every webhook event type: the audit actions except console.*, and the others. */
export const eventTypes: string[] = [...auditActions.filter((a) => !a.startsWith('console.')), ...otherEvents];

/** The resource part of an action or event type ("agent" for "agent.rolled_back"). */
export function resourceOf(type: string): string {
  return type.split('.', 1)[0] ?? type;
}

/** The types grouped by resource, in the order resources first appear. */
export function byResource(types: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    const r = resourceOf(t);
    groups.set(r, [...(groups.get(r) ?? []), t]);
  }
  return [...groups];
}

/** A resource name for people: "phone_number" → "phone number". */
export function humanResource(resource: string): string {
  return resource.replaceAll('_', ' ');
}
