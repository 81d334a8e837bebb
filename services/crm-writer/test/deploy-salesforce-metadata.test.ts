import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PREFLIGHT_REQUIREMENTS } from '../src/connections';

/**
 * The metadata shipped in deploy/salesforce (what an admin installs) and the pre-flight's list
 * (what Telltale checks for) name the same custom fields, with matching types, External IDs and
 * picklist values, and the permission set grants edit on each.
 */
const root = join(__dirname, '..', '..', '..', '..', 'deploy', 'salesforce', 'force-app', 'main', 'default');
const METADATA_TYPES: Record<string, string> = { Text: 'string', Number: 'double', Date: 'date', DateTime: 'datetime', Checkbox: 'boolean', Picklist: 'picklist' };

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

function shipped(object: 'Activity' | 'EmailMessage') {
  const dir = join(root, 'objects', object, 'fields');
  return readdirSync(dir).map((file) => {
    const xml = readFileSync(join(dir, file), 'utf8');
    return {
      name: tag(xml, 'fullName'),
      file,
      type: METADATA_TYPES[tag(xml, 'type') ?? ''],
      externalId: tag(xml, 'externalId') === 'true' && tag(xml, 'unique') === 'true',
      picklistValues: [...xml.matchAll(/<value>\s*<fullName>([^<]*)<\/fullName>/g)].map((m) => m[1]),
    };
  });
}

function required(object: string) {
  const requirement = PREFLIGHT_REQUIREMENTS.find((r) => r.object === object);
  assert.ok(requirement);
  return requirement.fields.filter((f) => f.custom);
}

describe('deploy/salesforce metadata', () => {
  for (const [object, folder] of [['Task', 'Activity'], ['EmailMessage', 'EmailMessage']] as const) {
    it(`ships exactly the ${object} custom fields the pre-flight checks`, () => {
      const files = shipped(folder);
      const needed = required(object);
      assert.deepEqual(files.map((f) => f.name).sort(), needed.map((f) => f.name).sort());
      for (const field of needed) {
        const file = files.find((f) => f.name === field.name)!;
        assert.equal(file.file, `${field.name}.field-meta.xml`);
        assert.ok(field.types.includes(file.type as never), `${field.name}: ${file.type}`);
        assert.equal(file.externalId, field.externalId === true, `${field.name} External ID + unique`);
        assert.deepEqual(file.picklistValues, field.picklistValues ?? [], `${field.name} picklist`);
      }
    });
  }

  it('grants edit on every shipped field in the permission set', () => {
    const xml = readFileSync(join(root, 'permissionsets', 'Telltale_Integration.permissionset-meta.xml'), 'utf8');
    const granted = [...xml.matchAll(/<fieldPermissions>\s*<editable>true<\/editable>\s*<field>([^<]*)<\/field>\s*<readable>true<\/readable>/g)].map((m) => m[1]).sort();
    const expected = [...required('Task').map((f) => `Task.${f.name}`), ...required('EmailMessage').map((f) => `EmailMessage.${f.name}`)].sort();
    assert.deepEqual(granted, expected);
  });
});
