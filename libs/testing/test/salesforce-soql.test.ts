import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SalesforceApiError } from '../src/salesforce/salesforce-api-error';
import { idChecksum, toCanonicalId } from '../src/salesforce/salesforce-id';
import { SalesforceSchema, type StoredRecord } from '../src/salesforce/salesforce-schema';
import { evaluateSoql } from '../src/salesforce/soql-evaluator';
import { parseSoql } from '../src/salesforce/soql-parser';

const schema = new SalesforceSchema();
const id = (id15: string): string => id15 + idChecksum(id15);

const contacts: StoredRecord[] = [
  { Id: id('003TT0000000001'), LastName: 'Archer', Email: 'ann@example.com', Title: 'CEO', IsDeleted: false, CreatedDate: '2024-01-01T00:00:00.000+0000' },
  { Id: id('003TT0000000002'), LastName: 'brown', Email: null, Title: 'CTO', IsDeleted: false, CreatedDate: '2024-02-01T00:00:00.000+0000' },
  { Id: id('003TT0000000003'), LastName: 'Cole', Email: 'cole_1@example.com', Title: null, IsDeleted: false, CreatedDate: '2024-03-01T00:00:00.000+0000' },
  { Id: id('003TT0000000004'), LastName: 'Diaz', Email: 'cole%1@example.com', Title: 'CEO', IsDeleted: false, CreatedDate: '2024-04-01T00:00:00.000+0000' },
];
const tasks: StoredRecord[] = [
  { Id: id('00TTT0000000001'), Subject: 'a', ActivityDate: '2024-05-01', IsClosed: true },
  { Id: id('00TTT0000000002'), Subject: 'b', ActivityDate: '2024-05-03', IsClosed: false },
  { Id: id('00TTT0000000003'), Subject: 'c', ActivityDate: null, IsClosed: false },
];

function run(soql: string): string[] {
  const result = evaluateSoql(parseSoql(soql), schema, (object) => (object.name === 'Task' ? tasks : contacts));
  return result.records.map((r) => String(r.LastName ?? r.Subject));
}

describe('SOQL subset', () => {
  const cases: Array<[string, string[]]> = [
    ["SELECT Id FROM Contact WHERE Email = 'ANN@example.com'", ['Archer']],
    ['SELECT Id FROM Contact WHERE Email = null', ['brown']],
    ["SELECT Id FROM Contact WHERE Title != 'CEO'", ['brown', 'Cole']],
    ["SELECT Id FROM Contact WHERE Title IN ('ceo', 'CTO') AND Email != null", ['Archer', 'Diaz']],
    ["SELECT Id FROM Contact WHERE Title NOT IN ('CEO')", ['brown', 'Cole']],
    ["SELECT Id FROM Contact WHERE (Title = 'CTO' OR Title = null) AND LastName LIKE 'c%'", ['Cole']],
    ["SELECT Id FROM Contact WHERE NOT Title = 'CEO'", ['brown', 'Cole']],
    ["SELECT Id FROM Contact WHERE Email LIKE 'cole\\_1%'", ['Cole']],
    ["SELECT Id FROM Contact WHERE Email LIKE 'cole\\%1%'", ['Diaz']],
    ["SELECT Id FROM Contact WHERE Email LIKE 'cole_1%'", ['Cole', 'Diaz']],
    ['SELECT Id FROM Contact ORDER BY LastName', ['Archer', 'brown', 'Cole', 'Diaz']],
    ['SELECT Id FROM Contact ORDER BY Title DESC, LastName DESC', ['Cole', 'brown', 'Diaz', 'Archer']],
    ['SELECT Id FROM Contact ORDER BY Title ASC NULLS LAST, LastName', ['Archer', 'Diaz', 'brown', 'Cole']],
    ['SELECT Id FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1', ['brown', 'Cole']],
    ['SELECT Id FROM Contact WHERE CreatedDate > 2024-02-15T00:00:00Z', ['Cole', 'Diaz']],
    ["SELECT Id FROM Contact WHERE Id = '003TT0000000002'", ['brown']],
    ['SELECT Id FROM Task WHERE IsClosed = false ORDER BY ActivityDate', ['c', 'b']],
    ['SELECT Id FROM Task WHERE ActivityDate >= 2024-05-02', ['b']],
    ['select id from task where isclosed = TRUE', ['a']],
  ];
  for (const [soql, expected] of cases) {
    it(soql, () => assert.deepEqual(run(soql), expected));
  }

  const failures: Array<[string, string]> = [
    ["SELECT Id FROM Contact WHERE LastName = 'a' AND Title = 'b' OR Email = null", 'MALFORMED_QUERY'],
    ['SELECT Id, Account.Name FROM Contact', 'MALFORMED_QUERY'],
    ['SELECT COUNT(Id) FROM Contact', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Contact WHERE Email = :email', 'MALFORMED_QUERY'],
    ["SELECT Id FROM Contact WHERE LastName = 'unterminated", 'MALFORMED_QUERY'],
    ["SELECT Id FROM Contact WHERE LastName = 'bad \\q escape'", 'MALFORMED_QUERY'],
    ['SELECT Id FROM Contact LIMIT -1', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Contact WHERE Title < null', 'MALFORMED_QUERY'],
    ['SELECT Id, Id FROM Contact', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Contact WHERE LastName = 5', 'INVALID_FIELD'],
    ["SELECT Id FROM Task WHERE ActivityDate = '2024-05-01'", 'INVALID_FIELD'],
    ["SELECT Id FROM Task WHERE Description = 'long text'", 'INVALID_FIELD'],
    ["SELECT Id FROM Contact WHERE Id = 'not-an-id'", 'INVALID_QUERY_FILTER_OPERATOR'],
    ['SELECT Id FROM Campaign', 'INVALID_TYPE'],
  ];
  for (const [soql, errorCode] of failures) {
    it(`rejects: ${soql}`, () => {
      assert.throws(
        () => run(soql),
        (err: unknown) => err instanceof SalesforceApiError && err.errorCode === errorCode && err.status === 400,
      );
    });
  }

  it('parses string escapes', () => {
    const query = parseSoql("SELECT Id FROM Contact WHERE LastName = 'O\\'Brien \\\\ \\u00e9\\n'");
    assert.deepEqual(query.where, {
      kind: 'compare',
      field: 'LastName',
      operator: '=',
      value: { kind: 'string', value: "O'Brien \\ é\n" },
    });
  });
});

describe('Salesforce ids', () => {
  it('computes the documented case-safe suffix', () => {
    // "0015000000Gv7qJ" is the example used throughout Salesforce's docs for the 15/18-character forms.
    assert.equal(idChecksum('0015000000Gv7qJ'), 'AAR');
    assert.equal(toCanonicalId('0015000000Gv7qJ'), '0015000000Gv7qJAAR');
    assert.equal(toCanonicalId('0015000000Gv7qJaar'), '0015000000Gv7qJAAR');
    assert.equal(toCanonicalId('0015000000Gv7qJAAA'), null);
    assert.equal(toCanonicalId('nope'), null);
  });
});
