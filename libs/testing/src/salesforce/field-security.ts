import type { FieldDefinition, SObjectDefinition } from './salesforce-schema';

/**
 * Field-level security: what a user's profile and permission sets let them do with a field.
 * Salesforce Help, "Field-Level Security": a field is hidden (the API behaves as if it did not
 * exist: INVALID_FIELD "No such column"), read-only (visible, but writes fail with
 * INVALID_FIELD_FOR_INSERT_UPDATE), or editable. Every field is editable unless a test says otherwise;
 * system-controlled fields stay governed by their own createable/updateable properties.
 */
export type FieldAccess = 'hidden' | 'read' | 'edit';

export class FieldSecurity {
  /** `${userId}|${Object}.${Field}` (lower-case object and field) → access; userId '*' for every user. */
  private readonly rules = new Map<string, FieldAccess>();

  set(object: SObjectDefinition, field: FieldDefinition, access: FieldAccess, userId = '*'): void {
    this.rules.set(this.key(userId, object, field), access);
  }

  access(userId: string | null, object: SObjectDefinition, field: FieldDefinition): FieldAccess {
    if (userId === null) return 'edit';
    return this.rules.get(this.key(userId, object, field)) ?? this.rules.get(this.key('*', object, field)) ?? 'edit';
  }

  visible(userId: string | null, object: SObjectDefinition, field: FieldDefinition): boolean {
    return this.access(userId, object, field) !== 'hidden';
  }

  private key(userId: string, object: SObjectDefinition, field: FieldDefinition): string {
    return `${userId}|${object.name.toLowerCase()}.${field.name.toLowerCase()}`;
  }
}
