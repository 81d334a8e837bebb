/**
 * The slice of a Salesforce org's schema the sandbox serves: the standard objects
 * Telltale touches (User, Account, Contact, Lead, Task) with the fields, types and
 * properties the Object Reference documents, plus the org's custom
 * `Task.Telltale_Activity_Key__c` External ID field that makes activity logging idempotent.
 */

export type SalesforceFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'combobox'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'int'
  | 'double';

export type FieldDefault = string | boolean | { kind: 'current-user' };

export interface FieldDefinition {
  name: string;
  label: string;
  type: SalesforceFieldType;
  /** Maximum length of text fields. */
  length: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  defaultValue?: FieldDefault;
  externalId: boolean;
  idLookup: boolean;
  unique: boolean;
  custom: boolean;
  calculated: boolean;
  nameField: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: string[];
  restrictedPicklist: boolean;
}

export type StoredValue = string | number | boolean | null;
export type StoredRecord = Record<string, StoredValue>;

export interface SObjectDefinition {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  deletable: boolean;
  fields: FieldDefinition[];
  /** Values Salesforce computes from the others (formula-like standard fields). */
  derive?: (record: StoredRecord) => StoredRecord;
}

type FieldOptions = Partial<Omit<FieldDefinition, 'name' | 'type'>>;

function field(name: string, type: SalesforceFieldType, options: FieldOptions = {}): FieldDefinition {
  const readOnly = options.calculated === true;
  return {
    name,
    label: options.label ?? name,
    type,
    length: options.length ?? 0,
    nillable: options.nillable ?? true,
    createable: options.createable ?? !readOnly,
    updateable: options.updateable ?? !readOnly,
    defaultedOnCreate: options.defaultedOnCreate ?? false,
    defaultValue: options.defaultValue,
    externalId: options.externalId ?? false,
    idLookup: options.idLookup ?? false,
    unique: options.unique ?? false,
    custom: options.custom ?? false,
    calculated: readOnly,
    nameField: options.nameField ?? false,
    referenceTo: options.referenceTo ?? [],
    relationshipName: options.relationshipName ?? null,
    picklistValues: options.picklistValues ?? [],
    restrictedPicklist: options.restrictedPicklist ?? false,
  };
}

function systemFields(deletable: boolean): FieldDefinition[] {
  const systemReadOnly = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
  const fields = [
    field('Id', 'id', { ...systemReadOnly, label: 'Record ID', length: 18, idLookup: true }),
    field('CreatedDate', 'datetime', { ...systemReadOnly, label: 'Created Date' }),
    field('CreatedById', 'reference', {
      ...systemReadOnly,
      label: 'Created By ID',
      length: 18,
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
    }),
    field('LastModifiedDate', 'datetime', { ...systemReadOnly, label: 'Last Modified Date' }),
    field('LastModifiedById', 'reference', {
      ...systemReadOnly,
      label: 'Last Modified By ID',
      length: 18,
      referenceTo: ['User'],
      relationshipName: 'LastModifiedBy',
    }),
    field('SystemModstamp', 'datetime', { ...systemReadOnly, label: 'System Modstamp' }),
  ];
  if (deletable) {
    fields.splice(1, 0, field('IsDeleted', 'boolean', { ...systemReadOnly, label: 'Deleted', defaultValue: false }));
  }
  return fields;
}

function owner(): FieldDefinition {
  return field('OwnerId', 'reference', {
    label: 'Owner ID',
    length: 18,
    nillable: false,
    defaultedOnCreate: true,
    defaultValue: { kind: 'current-user' },
    referenceTo: ['User'],
    relationshipName: 'Owner',
  });
}

/** Contact, Lead and User show `Name` as the first and last name joined. */
function derivePersonName(record: StoredRecord): StoredRecord {
  const parts = [record.FirstName, record.LastName].filter((p): p is string => typeof p === 'string' && p !== '');
  return { Name: parts.length > 0 ? parts.join(' ') : null };
}

const personName = (): FieldDefinition =>
  field('Name', 'string', { label: 'Full Name', length: 121, calculated: true, nameField: true });

const userObject: SObjectDefinition = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: '005',
  deletable: false,
  fields: [
    ...systemFields(false),
    field('Username', 'string', { length: 80, nillable: false, unique: true, idLookup: true }),
    field('Email', 'email', { length: 128, nillable: false }),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
    personName(),
    field('IsActive', 'boolean', { label: 'Active', nillable: false, defaultedOnCreate: true, defaultValue: true }),
  ],
  derive: derivePersonName,
};

const accountObject: SObjectDefinition = {
  name: 'Account',
  label: 'Account',
  labelPlural: 'Accounts',
  keyPrefix: '001',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('Name', 'string', { label: 'Account Name', length: 255, nillable: false, nameField: true }),
    field('Website', 'url', { length: 255 }),
    field('Phone', 'phone', { length: 40 }),
    owner(),
  ],
};

const contactObject: SObjectDefinition = {
  name: 'Contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  keyPrefix: '003',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
    personName(),
    // Object Reference, Contact.Email: idLookup, so it can key an upsert.
    field('Email', 'email', { length: 80, idLookup: true }),
    field('Phone', 'phone', { length: 40 }),
    field('Title', 'string', { length: 128 }),
    field('AccountId', 'reference', {
      label: 'Account ID',
      length: 18,
      referenceTo: ['Account'],
      relationshipName: 'Account',
    }),
    owner(),
  ],
  derive: derivePersonName,
};

const leadObject: SObjectDefinition = {
  name: 'Lead',
  label: 'Lead',
  labelPlural: 'Leads',
  keyPrefix: '00Q',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    field('LastName', 'string', { label: 'Last Name', length: 80, nillable: false }),
    personName(),
    field('Email', 'email', { length: 80, idLookup: true }),
    field('Company', 'string', { length: 255, nillable: false }),
    field('Status', 'picklist', {
      label: 'Lead Status',
      length: 255,
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: 'Open - Not Contacted',
      picklistValues: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
    }),
    // Set only by lead conversion (convertLead), never by a plain create or update.
    field('IsConverted', 'boolean', {
      label: 'Converted',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      defaultValue: false,
    }),
    field('ConvertedContactId', 'reference', {
      label: 'Converted Contact ID',
      length: 18,
      createable: false,
      updateable: false,
      referenceTo: ['Contact'],
      relationshipName: 'ConvertedContact',
    }),
    owner(),
  ],
  derive: derivePersonName,
};

const TASK_CLOSED_STATUSES = new Set(['Completed']);

/** The org's custom External ID (unique, case-insensitive) that makes Telltale's writes idempotent. */
function activityKeyField(): FieldDefinition {
  return field('Telltale_Activity_Key__c', 'string', {
    label: 'Telltale Activity Key',
    length: 255,
    externalId: true,
    idLookup: true,
    unique: true,
    custom: true,
  });
}

/**
 * The custom fields Telltale's package adds to Task (deploy/salesforce/): what the activity is,
 * and the engagement roll-ups. Direction is a restricted picklist, so a value outside it fails.
 */
const TELLTALE_TASK_FIELDS: FieldDefinition[] = [
  field('Telltale_Direction__c', 'picklist', {
    label: 'Telltale Direction',
    length: 255,
    custom: true,
    restrictedPicklist: true,
    picklistValues: ['Outbound', 'Inbound'],
  }),
  field('Telltale_Message_Id__c', 'string', { label: 'Telltale Message-ID', length: 255, custom: true }),
  field('Telltale_Reply_Relation__c', 'picklist', {
    label: 'Telltale Reply Relation',
    length: 255,
    custom: true,
    restrictedPicklist: true,
    picklistValues: ['prospect', 'cc', 'colleague', 'other'],
  }),
  field('Telltale_Sequence__c', 'string', { label: 'Telltale Sequence', length: 255, custom: true }),
  field('Telltale_Step__c', 'double', { label: 'Telltale Step', custom: true }),
  field('Telltale_Opens__c', 'double', { label: 'Telltale Human Opens', custom: true }),
  field('Telltale_Clicks__c', 'double', { label: 'Telltale Human Clicks', custom: true }),
  field('Telltale_Last_Engaged__c', 'datetime', { label: 'Telltale Last Engagement', custom: true }),
  field('Telltale_Bounced__c', 'boolean', { label: 'Telltale Bounced', custom: true, defaultedOnCreate: true, defaultValue: false }),
  field('Telltale_Bounce_Detail__c', 'string', { label: 'Telltale Bounce Detail', length: 255, custom: true }),
  field('Telltale_Out_Of_Office__c', 'boolean', { label: 'Telltale Out of Office', custom: true, defaultedOnCreate: true, defaultValue: false }),
  field('Telltale_Out_Of_Office_Until__c', 'date', { label: 'Telltale Out of Office Until', custom: true }),
];

const opportunityObject: SObjectDefinition = {
  name: 'Opportunity',
  label: 'Opportunity',
  labelPlural: 'Opportunities',
  keyPrefix: '006',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('Name', 'string', { label: 'Name', length: 120, nillable: false, nameField: true }),
    field('AccountId', 'reference', { label: 'Account ID', length: 18, referenceTo: ['Account'], relationshipName: 'Account' }),
    field('StageName', 'picklist', {
      label: 'Stage',
      length: 255,
      nillable: false,
      picklistValues: ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
    }),
    field('CloseDate', 'date', { label: 'Close Date', nillable: false }),
    field('IsClosed', 'boolean', { label: 'Closed', nillable: false, createable: false, updateable: false, defaultedOnCreate: true, defaultValue: false }),
    owner(),
  ],
  derive: (record) => ({ IsClosed: record.StageName === 'Closed Won' || record.StageName === 'Closed Lost' }),
};

/**
 * Enhanced Email (Object Reference, EmailMessage): Status is a restricted picklist of codes
 * ('0' New … '5' Draft; '3' Sent), ActivityId links the Task, and the relations live in
 * EmailMessageRelation rows.
 */
const emailMessageObject: SObjectDefinition = {
  name: 'EmailMessage',
  label: 'Email Message',
  labelPlural: 'Email Messages',
  keyPrefix: '02s',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('Subject', 'string', { length: 3000 }),
    field('TextBody', 'textarea', { label: 'Text Body', length: 131072 }),
    field('FromAddress', 'email', { label: 'From Address', length: 255 }),
    field('FromName', 'string', { label: 'From Name', length: 1000 }),
    field('ToAddress', 'string', { label: 'To Address', length: 4000 }),
    field('CcAddress', 'string', { label: 'CC Address', length: 4000 }),
    field('MessageDate', 'datetime', { label: 'Message Date' }),
    field('MessageIdentifier', 'string', { label: 'Message ID', length: 998 }),
    field('Incoming', 'boolean', { label: 'Is Incoming', defaultedOnCreate: true, defaultValue: false, updateable: false }),
    field('Status', 'picklist', {
      label: 'Status',
      length: 40,
      nillable: false,
      restrictedPicklist: true,
      picklistValues: ['0', '1', '2', '3', '4', '5'],
    }),
    field('ActivityId', 'reference', { label: 'Activity ID', length: 18, referenceTo: ['Task'], relationshipName: 'Activity' }),
    field('RelatedToId', 'reference', {
      label: 'Related To ID',
      length: 18,
      referenceTo: ['Account', 'Opportunity'],
      relationshipName: 'RelatedTo',
    }),
    activityKeyField(),
  ],
};

const emailMessageRelationObject: SObjectDefinition = {
  name: 'EmailMessageRelation',
  label: 'Email Message Relation',
  labelPlural: 'Email Message Relations',
  keyPrefix: '0BE',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('EmailMessageId', 'reference', {
      label: 'Email Message ID',
      length: 18,
      nillable: false,
      updateable: false,
      referenceTo: ['EmailMessage'],
      relationshipName: 'EmailMessage',
    }),
    field('RelationId', 'reference', {
      label: 'Relation ID',
      length: 18,
      referenceTo: ['Contact', 'Lead', 'User'],
      relationshipName: 'Relation',
    }),
    field('RelationType', 'picklist', {
      label: 'Relation Type',
      length: 40,
      nillable: false,
      restrictedPicklist: true,
      picklistValues: ['FromAddress', 'ToAddress', 'CcAddress', 'BccAddress'],
    }),
    field('RelationAddress', 'email', { label: 'Relation Address', length: 255 }),
  ],
};

const taskObject: SObjectDefinition = {
  name: 'Task',
  label: 'Task',
  labelPlural: 'Tasks',
  keyPrefix: '00T',
  deletable: true,
  fields: [
    ...systemFields(true),
    field('Subject', 'combobox', { length: 255, picklistValues: ['Call', 'Send Letter', 'Send Quote', 'Other'] }),
    field('Description', 'textarea', { label: 'Comments', length: 32000 }),
    field('ActivityDate', 'date', { label: 'Due Date Only' }),
    field('Status', 'picklist', {
      length: 40,
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: 'Not Started',
      picklistValues: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
    }),
    field('Priority', 'picklist', {
      length: 40,
      nillable: false,
      defaultedOnCreate: true,
      defaultValue: 'Normal',
      picklistValues: ['High', 'Normal', 'Low'],
    }),
    // Object Reference, Task.TaskSubtype: restricted picklist, set on create and
    // "not updateable" afterwards.
    field('TaskSubtype', 'picklist', {
      label: 'Task Subtype',
      length: 40,
      updateable: false,
      restrictedPicklist: true,
      picklistValues: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'],
    }),
    field('Type', 'picklist', { length: 40, picklistValues: ['Call', 'Email', 'Meeting', 'Other'] }),
    field('WhoId', 'reference', {
      label: 'Name ID',
      length: 18,
      referenceTo: ['Contact', 'Lead'],
      relationshipName: 'Who',
    }),
    field('WhatId', 'reference', {
      label: 'Related To ID',
      length: 18,
      referenceTo: ['Account', 'Opportunity'],
      relationshipName: 'What',
    }),
    owner(),
    field('IsClosed', 'boolean', {
      label: 'Closed',
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      defaultValue: false,
    }),
    activityKeyField(),
    ...TELLTALE_TASK_FIELDS,
  ],
  derive: (record) => ({ IsClosed: typeof record.Status === 'string' && TASK_CLOSED_STATUSES.has(record.Status) }),
};

export const SANDBOX_SOBJECTS: ReadonlyArray<SObjectDefinition> = [
  userObject,
  accountObject,
  contactObject,
  leadObject,
  opportunityObject,
  taskObject,
  emailMessageObject,
  emailMessageRelationObject,
];

/** Looks objects and fields up case-insensitively, as the API does. */
export class SalesforceSchema {
  private readonly byName = new Map<string, SObjectDefinition>();
  private readonly byPrefix = new Map<string, SObjectDefinition>();
  private readonly fieldsByObject = new Map<string, Map<string, FieldDefinition>>();

  constructor(objects: ReadonlyArray<SObjectDefinition> = SANDBOX_SOBJECTS) {
    for (const object of objects) {
      this.byName.set(object.name.toLowerCase(), object);
      this.byPrefix.set(object.keyPrefix, object);
      this.fieldsByObject.set(
        object.name,
        new Map(object.fields.map((f) => [f.name.toLowerCase(), f] as const)),
      );
    }
  }

  objects(): SObjectDefinition[] {
    return [...this.byName.values()];
  }

  object(name: string): SObjectDefinition | undefined {
    return this.byName.get(name.toLowerCase());
  }

  objectForId(id: string): SObjectDefinition | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  field(object: SObjectDefinition, name: string): FieldDefinition | undefined {
    return this.fieldsByObject.get(object.name)?.get(name.toLowerCase());
  }
}
