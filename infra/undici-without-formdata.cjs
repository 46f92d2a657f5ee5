'use strict';
// Stands in, in the Lambda bundles only, for the three modules undici loads when a request
// body is a FormData: the functions send no request bodies. undici then refuses a FormData
// body with its own InvalidArgumentError ("body must be a FormData created by this undici
// package instance"), before anything is sent. Leaving out fetch's body, FormData and webidl
// code takes ~42 KB off the code Node parses at init (infra/build.ts, docs/benchmarks.md).
module.exports = {
  webidl: { is: { FormData: () => false } },
  extractBody() {
    throw new TypeError('FormData request bodies are not part of this bundle');
  },
};
