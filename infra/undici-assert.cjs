'use strict';
// `node:assert` as undici's modules in the Lambda bundles call it: `assert(value)` and
// `assert(value, message)`, nothing else (infra/build.ts checks). Loading Node's assert
// module and its internals took ~1.5 ms of init CPU (docs/benchmarks.md, "Cold start").
function assert(value, message) {
  if (value) return;
  if (message instanceof Error) throw message;
  const error = new Error(message ?? 'The expression evaluated to a falsy value');
  error.name = 'AssertionError';
  error.code = 'ERR_ASSERTION';
  throw error;
}
module.exports = assert;
