#!/usr/bin/env node
// `npx telltale …`: a committed entry point, so npm links the bin at install time, before the
// TypeScript build has produced dist/ (`npm test`, `npm start` and `npm run build` all build).
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const compiled = path.join(__dirname, '..', 'dist', 'src', 'telltale.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write('telltale: not built yet; run `npm run build` (or `npm test`) at the repository root first\n');
  process.exit(2);
}
require(compiled);
