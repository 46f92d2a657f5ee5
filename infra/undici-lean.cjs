'use strict';
// What the functions use of undici: a pooled keep-alive Agent and Dispatcher#request.
// undici's index also loads fetch, WebSocket, EventSource, caches, mocks and proxy agents,
// most of its size; the Lambda bundles take this entry instead (infra/build.ts).
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const Agent = require('undici/lib/dispatcher/agent');
const api = require('undici/lib/api');

Object.assign(Dispatcher.prototype, api);

module.exports = { Agent, Dispatcher };
