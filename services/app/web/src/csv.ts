/** RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF) into rows of fields; blank lines dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

export interface AddressInput {
  address: string;
  name: string | null;
}

/** `Alan Bradley <alan@encom.com>, lora@encom.com` into addresses (what cannot be read is kept as typed, for the API to name). */
export function parseAddressList(text: string): AddressInput[] {
  return text
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(.*?)\s*<([^>]+)>$/.exec(part);
      if (m) return { address: m[2]!.trim(), name: m[1]!.replace(/^"|"$/g, '').trim() || null };
      return { address: part, name: null };
    });
}

export interface CsvEnrollRow {
  prospect: { email: string; name: string | null };
  cc: AddressInput[];
}

/**
 * The upload's rows: a header naming `email` (required), `name` and `cc` columns, in any order;
 * `cc` holds addresses as in parseAddressList.
 */
export function csvToEnrollRows(text: string): { rows: CsvEnrollRow[]; error: string | null } {
  const all = parseCsv(text);
  if (all.length < 2) return { rows: [], error: 'The file needs a header row (email, name, cc) and at least one person.' };
  const header = all[0]!.map((h) => h.trim().toLowerCase());
  const emailAt = header.findIndex((h) => h === 'email' || h === 'email address');
  if (emailAt < 0) return { rows: [], error: 'The header row needs an “email” column.' };
  const nameAt = header.indexOf('name');
  const ccAt = header.indexOf('cc');
  return {
    error: null,
    rows: all.slice(1).map((r) => ({
      prospect: { email: (r[emailAt] ?? '').trim(), name: nameAt >= 0 ? (r[nameAt] ?? '').trim() || null : null },
      cc: ccAt >= 0 ? parseAddressList(r[ccAt] ?? '') : [],
    })),
  };
}
