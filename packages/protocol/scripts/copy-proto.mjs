// Before `npm pack`/publish: copies the contract (proto/mmo/v1) and the conformance vectors into
// the package so installed copies carry them (package.json "files" lists "proto").
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(pkg, 'proto');
rmSync(target, { recursive: true, force: true });
cpSync(join(pkg, '../../proto'), target, { recursive: true });
console.log(`copied proto/ into ${target}`);
