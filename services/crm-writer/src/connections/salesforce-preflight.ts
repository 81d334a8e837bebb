import type { Connection } from 'jsforce';
import { z } from 'zod';

/**
 * Pre-flight: before Telltale writes to an organisation's Salesforce (and whenever an admin asks),
 * describe the objects we read and write and check, as the integration user sees them, that each
 * field we use exists with the right type, that field-level security lets the user create (and,
 * for roll-ups, update) it, that our External IDs are unique External IDs, and that the picklist
 * values we write are active. Every problem is one sentence an admin can act on.
 *
 * The custom fields are shipped as metadata under deploy/salesforce/ (README there).
 */

type FieldType = 'string' | 'textarea' | 'picklist' | 'double' | 'datetime' | 'boolean' | 'reference' | 'email' | 'date' | 'id' | 'combobox';

interface FieldRequirement {
  name: string;
  /** Acceptable describe types (a combobox takes any text, like a string). */
  types: FieldType[];
  /** What we do with it: read only, set on create, or also update later (roll-ups). */
  use: 'read' | 'create' | 'update';
  picklistValues?: string[];
  externalId?: boolean;
  custom?: boolean;
}

interface ObjectRequirement {
  object: string;
  why: string;
  fields: FieldRequirement[];
}

const text: FieldType[] = ['string', 'textarea'];
const custom = (name: string, types: FieldType[], use: FieldRequirement['use'], extra: Partial<FieldRequirement> = {}): FieldRequirement => ({ name, types, use, custom: true, ...extra });
const standard = (name: string, types: FieldType[], use: FieldRequirement['use'], extra: Partial<FieldRequirement> = {}): FieldRequirement => ({ name, types, use, ...extra });

export const PREFLIGHT_REQUIREMENTS: ObjectRequirement[] = [
  {
    object: 'Task',
    why: 'a Task per sent email and per reply',
    fields: [
      custom('Telltale_Activity_Key__c', ['string'], 'create', { externalId: true }),
      custom('Telltale_Direction__c', ['picklist'], 'create', { picklistValues: ['Outbound', 'Inbound'] }),
      custom('Telltale_Message_Id__c', ['string'], 'create'),
      custom('Telltale_Reply_Relation__c', ['picklist'], 'create', { picklistValues: ['prospect', 'cc', 'colleague', 'other'] }),
      custom('Telltale_Sequence__c', ['string'], 'create'),
      custom('Telltale_Step__c', ['double'], 'create'),
      custom('Telltale_Opens__c', ['double'], 'update'),
      custom('Telltale_Clicks__c', ['double'], 'update'),
      custom('Telltale_Last_Engaged__c', ['datetime'], 'update'),
      custom('Telltale_Bounced__c', ['boolean'], 'update'),
      custom('Telltale_Bounce_Detail__c', ['string'], 'update'),
      custom('Telltale_Out_Of_Office__c', ['boolean'], 'update'),
      custom('Telltale_Out_Of_Office_Until__c', ['date'], 'update'),
      standard('Subject', ['combobox', 'string'], 'create'),
      standard('Description', ['textarea'], 'create'),
      standard('ActivityDate', ['date'], 'create'),
      standard('Status', ['picklist'], 'create', { picklistValues: ['Completed'] }),
      standard('Priority', ['picklist'], 'create', { picklistValues: ['Normal'] }),
      standard('TaskSubtype', ['picklist'], 'create', { picklistValues: ['Email'] }),
      standard('WhoId', ['reference'], 'create'),
      standard('WhatId', ['reference'], 'create'),
      standard('OwnerId', ['reference'], 'create'),
    ],
  },
  {
    object: 'EmailMessage',
    why: 'Enhanced Email (optional)',
    fields: [
      custom('Telltale_Activity_Key__c', ['string'], 'create', { externalId: true }),
      standard('Subject', text, 'create'),
      standard('TextBody', ['textarea'], 'create'),
      standard('FromAddress', ['email'], 'create'),
      standard('ToAddress', text, 'create'),
      standard('MessageDate', ['datetime'], 'create'),
      standard('Status', ['picklist'], 'create', { picklistValues: ['3'] }),
      standard('ActivityId', ['reference'], 'create'),
      standard('RelatedToId', ['reference'], 'create'),
    ],
  },
  { object: 'Contact', why: 'matching people by email', fields: [standard('Email', ['email'], 'read'), standard('AccountId', ['reference'], 'read')] },
  { object: 'Lead', why: 'matching people without a Contact', fields: [standard('Email', ['email'], 'read'), standard('IsConverted', ['boolean'], 'read')] },
  { object: 'Account', why: "the Task's WhatId", fields: [standard('Name', ['string'], 'read')] },
  { object: 'Opportunity', why: 'the open Opportunity as WhatId (optional)', fields: [standard('AccountId', ['reference'], 'read'), standard('IsClosed', ['boolean'], 'read')] },
];

const describedField = z.object({
  name: z.string().max(255),
  type: z.string().max(50),
  createable: z.boolean(),
  updateable: z.boolean(),
  externalId: z.boolean().optional(),
  unique: z.boolean().optional(),
  picklistValues: z.array(z.object({ value: z.string().max(1000), active: z.boolean() })).max(5000).optional(),
});
const described = z.object({ name: z.string().max(255), createable: z.boolean(), fields: z.array(describedField).max(5000) });

export interface PreflightProblem {
  object: string;
  field: string | null;
  kind: 'object_missing' | 'field_missing' | 'wrong_type' | 'not_createable' | 'not_updateable' | 'not_external_id' | 'picklist_value_missing';
  /** One sentence an admin can act on. */
  message: string;
}

export interface PreflightReport {
  ok: boolean;
  checkedAt: string;
  /** The Salesforce user the checks ran as (field-level security is theirs). */
  username: string | null;
  objects: Array<{ object: string; why: string; ok: boolean }>;
  problems: PreflightProblem[];
}

const DEPLOY_HINT = 'deploy the Telltale fields (deploy/salesforce, see its README)';

export async function runPreflight(conn: Connection, username: string | null, now: Date): Promise<PreflightReport> {
  const who = username ?? 'the integration user';
  const problems: PreflightProblem[] = [];
  const objects: PreflightReport['objects'] = [];
  for (const requirement of PREFLIGHT_REQUIREMENTS) {
    const before = problems.length;
    let description: z.infer<typeof described>;
    try {
      description = described.parse(await conn.sobject(requirement.object).describe());
    } catch (err) {
      const code = (err as { errorCode?: unknown }).errorCode;
      if (code !== 'NOT_FOUND' && code !== 'INVALID_TYPE') throw err;
      problems.push({
        object: requirement.object,
        field: null,
        kind: 'object_missing',
        message: `${who} cannot see the ${requirement.object} object (needed for ${requirement.why}): give the user's profile or a permission set access to ${requirement.object}.`,
      });
      objects.push({ object: requirement.object, why: requirement.why, ok: false });
      continue;
    }
    const byName = new Map(description.fields.map((f) => [f.name.toLowerCase(), f]));
    for (const field of requirement.fields) problems.push(...checkField(requirement.object, field, byName.get(field.name.toLowerCase()), who));
    objects.push({ object: requirement.object, why: requirement.why, ok: problems.length === before });
  }
  return { ok: problems.length === 0, checkedAt: now.toISOString(), username, objects, problems };
}

function checkField(object: string, required: FieldRequirement, field: z.infer<typeof describedField> | undefined, who: string): PreflightProblem[] {
  const path = `${object}.${required.name}`;
  const problem = (kind: PreflightProblem['kind'], message: string): PreflightProblem => ({ object, field: required.name, kind, message });
  if (!field) {
    return [
      problem(
        'field_missing',
        required.custom
          ? `${path} is missing or hidden from ${who}: ${DEPLOY_HINT}, then give the user's profile or permission set Edit access to it in field-level security.`
          : `${path} is hidden from ${who}: make it visible (and editable) for the user's profile or permission set in field-level security.`,
      ),
    ];
  }
  const problems: PreflightProblem[] = [];
  if (!required.types.includes(field.type as FieldType)) {
    problems.push(problem('wrong_type', `${path} is a ${field.type} field; Telltale needs ${required.types.join(' or ')}: delete it and ${DEPLOY_HINT}.`));
  }
  if (required.use !== 'read' && !field.createable) {
    problems.push(problem('not_createable', `${who} cannot set ${path} when creating records: give Edit access to it in field-level security.`));
  }
  if (required.use === 'update' && !field.updateable) {
    problems.push(problem('not_updateable', `${who} cannot update ${path} (engagement roll-ups are updated after the Task is created): give Edit access to it in field-level security.`));
  }
  if (required.externalId && !(field.externalId && field.unique)) {
    problems.push(problem('not_external_id', `${path} must be a unique External ID (it is what makes every write exactly once): edit the field and tick "Unique" and "External ID".`));
  }
  const active = new Set((field.picklistValues ?? []).filter((v) => v.active).map((v) => v.value));
  for (const value of required.picklistValues ?? []) {
    if (!active.has(value)) problems.push(problem('picklist_value_missing', `${path} has no active value "${value}", which Telltale writes: add it to the picklist (Setup → Object Manager → ${object} → ${required.name}).`));
  }
  return problems;
}
