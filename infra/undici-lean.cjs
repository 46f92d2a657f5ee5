'use strict';
// What the functions use of undici: a pooled keep-alive Agent and Dispatcher#request.
// undici's index also loads fetch, WebSocket, EventSource, caches, mocks, proxy agents and
// the stream/pipeline/upgrade/connect APIs; the Lambda bundles take this entry instead
// (infra/build.ts, docs/benchmarks.md "Cold start").
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');

Dispatcher.prototype.request = require('undici/lib/api/api-request');

module.exports = { Agent, Dispatcher };
