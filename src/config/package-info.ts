import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The service's name and version, from the repository's package.json (src/ under ts-node, dist/ built: the image ships it too). */
export const packageInfo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
