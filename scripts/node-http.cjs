// node:http for the bundle, taken through require rather than an ES import: Node 24 builds the ES
// view of node:http by reading every export, and its lazy WebSocket getters load Node's internal
// undici on the way (its import cost: docs/performance.md, bench/RESULTS.md). process.getBuiltinModule
// keeps this file out of the alias that points node:http here.
module.exports = process.getBuiltinModule('node:http');
