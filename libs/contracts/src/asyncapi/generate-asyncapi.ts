import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderAsyncApiYaml } from './asyncapi-document';
import { ASYNCAPI_PATH, contractsVersion } from './asyncapi-location';

writeFileSync(ASYNCAPI_PATH, renderAsyncApiYaml(contractsVersion()));
process.stdout.write(`wrote ${resolve(ASYNCAPI_PATH)}\n`);
