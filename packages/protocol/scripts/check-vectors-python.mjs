// Decodes every conformance vector with Google's protobuf runtime (Debian protobuf-compiler +
// python3-protobuf). Skipped with a notice when those are missing, unless MMO_REQUIRE_VECTOR_CHECK=1
// (CI sets it, and installs them).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const python = '/usr/bin/python3';
const probe = spawnSync(python, ['-c', 'import google.protobuf'], { stdio: 'ignore' });
const protoc = spawnSync('protoc', ['--version'], { stdio: 'ignore' });
if (probe.status !== 0 || protoc.status !== 0) {
  const message = 'vectors:check needs protoc and python3-protobuf (apt-get install protobuf-compiler python3-protobuf)';
  if (process.env.MMO_REQUIRE_VECTOR_CHECK === '1') {
    console.error(message);
    process.exit(1);
  }
  console.log(`skipped: ${message}`);
  process.exit(0);
}
const result = spawnSync(python, [join(root, 'proto/vectors/check_vectors.py')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
