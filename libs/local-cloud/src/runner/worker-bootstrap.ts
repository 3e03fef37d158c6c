/**
 * Source of the code each function's worker thread runs: a minimal Lambda runtime. It is kept as a
 * string (run with `eval: true`) so workers need no TypeScript loader, whatever started the parent.
 *
 * Protocol (parent → worker): { type: 'invoke', id, event (JSON text), deadlineMs }; the context's
 * constant part (function name, ARN, memory, log group and stream) comes once, in workerData.context.
 * Worker → parent: { type: 'ready' } | { type: 'init-error', error } | { type: 'result', id, ok, payload | error }.
 */
export const WORKER_BOOTSTRAP = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

function toError(err, fallbackType) {
  if (err instanceof Error) {
    return { errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor && err.constructor.name) || fallbackType, errorMessage: err.message, stackTrace: String(err.stack || '').split('\n').slice(1).map((l) => l.trim()) };
  }
  return { errorType: fallbackType, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) };
}

let current; // id of the invocation in flight
// Lambda fails the invocation in flight on an uncaught error and then restarts the sandbox.
function fatal(err, type) {
  const error = toError(err, type);
  if (current !== undefined) parentPort.postMessage({ type: 'result', id: current, ok: false, error, fatal: true });
  else parentPort.postMessage({ type: 'init-error', error, fatal: true });
  process.exit(1);
}
process.on('uncaughtException', (err) => fatal(err, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (err) => fatal(err, 'Runtime.UnhandledPromiseRejection'));

const base = workerData.context;
let handler;
try {
  const mod = require(workerData.bundlePath);
  handler = mod[workerData.exportName];
  if (handler === undefined && mod.default) handler = mod.default[workerData.exportName];
  if (typeof handler !== 'function') {
    parentPort.postMessage({ type: 'init-error', error: { errorType: 'Runtime.HandlerNotFound', errorMessage: workerData.handler + ' is undefined or not exported' } });
    handler = undefined;
  }
} catch (err) {
  parentPort.postMessage({ type: 'init-error', error: { ...toError(err, 'Runtime.ImportModuleError'), errorType: 'Runtime.ImportModuleError' } });
}
if (handler) parentPort.postMessage({ type: 'ready' });

parentPort.on('message', (message) => {
  if (message.type !== 'invoke') return;
  const { id, deadlineMs } = message;
  current = id;
  let settled = false;
  const finish = (ok, value) => {
    if (settled) return;
    settled = true;
    current = undefined;
    if (ok) {
      let payload;
      try {
        // Lambda serialises the result as JSON; undefined becomes null.
        payload = value === undefined ? 'null' : JSON.stringify(value);
        if (payload === undefined) payload = 'null';
      } catch (err) {
        parentPort.postMessage({ type: 'result', id, ok: false, error: { errorType: 'Runtime.MarshalError', errorMessage: 'Unable to marshal response: ' + (err && err.message) } });
        return;
      }
      parentPort.postMessage({ type: 'result', id, ok: true, payload });
    } else {
      parentPort.postMessage({ type: 'result', id, ok: false, error: toError(value, 'Error') });
    }
  };
  const context = {
    awsRequestId: id,
    functionName: base.functionName,
    functionVersion: base.functionVersion,
    invokedFunctionArn: base.invokedFunctionArn,
    memoryLimitInMB: base.memoryLimitInMB,
    logGroupName: base.logGroupName,
    logStreamName: base.logStreamName,
    deadlineMs,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: (err, value) => (err ? finish(false, err) : finish(true, value)),
    succeed: (value) => finish(true, value),
    fail: (err) => finish(false, err),
  };
  try {
    const event = JSON.parse(message.event);
    const callback = (err, value) => (err ? finish(false, err) : finish(true, value));
    const out = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
    if (out && typeof out.then === 'function') out.then((v) => finish(true, v), (e) => finish(false, e));
    else if (handler.length < 3) finish(true, out);
  } catch (err) {
    finish(false, err);
  }
});
`;
