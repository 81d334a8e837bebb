import { writeFileSync } from 'node:fs';
import { OPENAPI_PATH, renderOpenApiYaml } from './openapi-document';

/** Writes docs/openapi.yaml: `npx tsc -b tsconfig.json && node libs/system-tests/dist/src/openapi/generate-openapi.js`. */
renderOpenApiYaml().then(
  (yaml) => {
    writeFileSync(OPENAPI_PATH, yaml);
    process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`generate-openapi: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
