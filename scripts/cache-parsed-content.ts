/**
 * The last step of `npm run build`: parses content/'s knowledge files into dist/, so start-up
 * takes their data from JSON instead of parsing YAML (src/content/parsed-yaml-cache.ts).
 */
import { join } from 'node:path';
import { PARSED_YAML_CACHE_NAME, writeParsedYamlCache } from '../src/content/parsed-yaml-cache';

const ROOT = join(__dirname, '..');
const { kept, leftOut } = writeParsedYamlCache(join(ROOT, 'content'), join(ROOT, 'dist', PARSED_YAML_CACHE_NAME));
console.log(`dist/${PARSED_YAML_CACHE_NAME}: ${kept} knowledge files parsed${leftOut.length ? `; left to start-up (they do not parse): ${leftOut.join(', ')}` : ''}`);
