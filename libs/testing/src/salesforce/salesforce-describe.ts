import type { FieldAccess } from './field-security';
import type { FieldDefinition, SalesforceFieldType, SObjectDefinition } from './salesforce-schema';

/**
 * Metadata resources built from the sandbox schema: the versions list, the
 * resources of a version, describeGlobal and sObject Describe, in the shapes the
 * REST API Developer Guide documents (`GET /services/data/`, `…/sobjects/`,
 * `…/sobjects/{Object}/describe`).
 */

/** API versions from v31.0 (Summer '14) to the newest the sandbox speaks. */
export const SANDBOX_API_VERSIONS: ReadonlyArray<string> = Array.from({ length: 64 - 31 + 1 }, (_, i) => `${31 + i}.0`);
export const LATEST_API_VERSION = '64.0';

/** Three releases a year; v62.0 was Winter '25. */
export function releaseLabel(version: string): string {
  const major = Number.parseInt(version, 10);
  const offset = major - 62;
  const season = ['Winter', 'Spring', 'Summer'][((offset % 3) + 3) % 3] as string;
  const year = 25 + Math.floor(offset / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function versionsResource(): Array<{ label: string; url: string; version: string }> {
  return SANDBOX_API_VERSIONS.map((version) => ({
    label: releaseLabel(version),
    url: `/services/data/v${version}`,
    version,
  }));
}

export function versionResources(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  return {
    sobjects: `${base}/sobjects`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    composite: `${base}/composite`,
  };
}

function objectUrls(version: string, object: SObjectDefinition): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${object.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectSummary(version: string, object: SObjectDefinition): Record<string, unknown> {
  return {
    name: object.name,
    label: object.label,
    labelPlural: object.labelPlural,
    keyPrefix: object.keyPrefix,
    custom: false,
    customSetting: false,
    activateable: false,
    createable: true,
    updateable: true,
    deletable: object.deletable,
    undeletable: object.deletable,
    queryable: true,
    retrieveable: true,
    searchable: true,
    layoutable: true,
    mergeable: false,
    replicateable: true,
    triggerable: true,
    feedEnabled: false,
    deprecatedAndHidden: false,
    urls: objectUrls(version, object),
  };
}

export function describeGlobal(version: string, objects: SObjectDefinition[]): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: objects.map((o) => objectSummary(version, o)) };
}

export function describeBasic(version: string, object: SObjectDefinition): Record<string, unknown> {
  return { objectDescribe: objectSummary(version, object), recentItems: [] };
}

const SOAP_TYPES: Record<SalesforceFieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  int: 'xsd:int',
  double: 'xsd:double',
};

function describeField(field: FieldDefinition, access: FieldAccess = 'edit'): Record<string, unknown> {
  // Field-level security: a read-only field is described as neither createable nor updateable for this user.
  const editable = access === 'edit';
  const longText = field.type === 'textarea' && field.length > 255;
  const staticDefault = typeof field.defaultValue === 'object' ? null : (field.defaultValue ?? null);
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: SOAP_TYPES[field.type],
    length: field.length,
    byteLength: field.length * 3,
    digits: 0,
    precision: field.type === 'double' ? 18 : 0,
    scale: 0,
    nillable: field.nillable,
    createable: field.createable && editable,
    updateable: field.updateable && editable,
    defaultedOnCreate: field.defaultedOnCreate,
    defaultValue: field.type === 'boolean' ? staticDefault : null,
    defaultValueFormula: null,
    externalId: field.externalId,
    idLookup: field.idLookup,
    unique: field.unique,
    caseSensitive: false,
    custom: field.custom,
    calculated: field.calculated,
    autoNumber: false,
    nameField: field.nameField,
    filterable: !longText,
    sortable: !longText,
    groupable: !longText && field.type !== 'double',
    aggregatable: !longText,
    referenceTo: field.referenceTo,
    relationshipName: field.relationshipName,
    polymorphicForeignKey: field.referenceTo.length > 1,
    cascadeDelete: false,
    restrictedDelete: false,
    picklistValues: field.picklistValues.map((value) => ({
      active: true,
      defaultValue: value === staticDefault,
      label: value,
      validFor: null,
      value,
    })),
    restrictedPicklist: field.restrictedPicklist,
    dependentPicklist: false,
    htmlFormatted: false,
    deprecatedAndHidden: false,
  };
}

/**
 * sObject Describe as the calling user sees it: fields hidden from them by field-level security are
 * left out, read-only ones are neither createable nor updateable.
 */
export function describeSObject(version: string, object: SObjectDefinition, accessOf: (field: FieldDefinition) => FieldAccess = () => 'edit'): Record<string, unknown> {
  return {
    ...objectSummary(version, object),
    fields: object.fields.flatMap((field) => {
      const access = accessOf(field);
      return access === 'hidden' ? [] : [describeField(field, access)];
    }),
    childRelationships: [],
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All', name: 'everything' }],
  };
}
