/**
 * Source of the code each worker thread runs: a minimal Lambda runtime that can host several
 * functions of one environment group (same service, same declared environment). It is kept as a
 * string (run with `eval: true`) so workers need no TypeScript loader, whatever started the parent.
 *
 * Each function's bundle is loaded as its own module instance (never through require's cache, so
 * two functions never share module-level state, even when they share a handler file), while the
 * packages bundles leave external (the AWS SDK) load once per worker through the require cache.
 * process.env holds the environment of the function running: before a function's module is loaded
 * and before each of its invocations, the worker switches process.env to that function's own
 * environment (its Lambda variables: AWS_LAMBDA_FUNCTION_NAME, memory size, log group and stream...),
 * keeping whatever a function changed in it for that function's next invocation. A worker runs one
 * invocation at a time, so the switch is safe.
 *
 * Protocol (parent → worker): { type: 'invoke', id, fn, event (JSON text), deadlineMs, load? }, where
 * `load` ({ bundlePath, exportName, handler, env, context }) comes with a function's first
 * invocation in this worker: its bundle, its environment and its invocation context's constant part.
 * | { type: 'abort', id } (the client of a streaming invocation went away: its stream is destroyed).
 * Worker → parent: { type: 'result', id, ok, payload | error, fatal?, initError? }
 * | { type: 'chunk', id, data } (a streaming handler's write, as it happens)
 * | { type: 'log', fn, stream, text } (what a function writes to stdout/stderr, in order with results)
 * | { type: 'fatal', fn, error } (an uncaught error while no invocation was in flight; the worker exits).
 */
export const WORKER_BOOTSTRAP = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
// V8's compiled code of what this worker loads is kept on disk and reused by the next cold start.
const compileCache = Boolean(workerData && workerData.compileCacheDir && typeof Module.enableCompileCache === 'function');
if (compileCache) Module.enableCompileCache(workerData.compileCacheDir);
if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

function toError(err, fallbackType) {
  if (err instanceof Error) {
    return { errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor && err.constructor.name) || fallbackType, errorMessage: err.message, stackTrace: String(err.stack || '').split('\n').slice(1).map((l) => l.trim()) };
  }
  return { errorType: fallbackType, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) };
}

const functions = new Map(); // function name -> { name, handler, base (context), env }
// Lambda's response streaming: the Node.js runtime's awslambda global, written to the parent as
// 'chunk' messages as the handler writes them (the first carries the HTTP metadata prelude).
const { Writable } = require('node:stream');
const STREAMING = Symbol.for('switchyard.streamingHandler');
globalThis.awslambda = {
  streamifyResponse(handler) { handler[STREAMING] = true; return handler; },
  HttpResponseStream: {
    from(stream, metadata) {
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(metadata || {})), Buffer.alloc(8)]));
      return stream;
    },
  },
};
const streams = new Map(); // invocation id -> its response stream

let active; // the function whose environment process.env holds
let current; // id of the invocation in flight

// Output goes to the parent as messages, tagged with the function running, so each line is
// attributed to its function even though several share this worker.
for (const [stream, name] of [[process.stdout, 'stdout'], [process.stderr, 'stderr']]) {
  stream.write = function write(chunk, encoding, callback) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    parentPort.postMessage({ type: 'log', fn: active ? active.name : undefined, stream: name, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}

// Lambda fails the invocation in flight on an uncaught error and then restarts the sandbox.
function fatal(err, type) {
  const error = toError(err, type);
  if (current !== undefined) parentPort.postMessage({ type: 'result', id: current, ok: false, error, fatal: true });
  else parentPort.postMessage({ type: 'fatal', fn: active ? active.name : undefined, error });
  process.exit(1);
}
process.on('uncaughtException', (err) => fatal(err, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (err) => fatal(err, 'Runtime.UnhandledPromiseRejection'));

const own = Object.prototype.hasOwnProperty;
function activate(fn) {
  if (active === fn) return;
  // The function leaving keeps what it changed in its environment, as its sandbox would.
  if (active) active.env = Object.assign({}, process.env);
  for (const key of Object.keys(process.env)) if (!own.call(fn.env, key)) delete process.env[key];
  Object.assign(process.env, fn.env);
  active = fn;
}

function load(name, spec) {
  const fn = { name, handler: undefined, base: spec.context, env: spec.env };
  functions.delete(name);
  // Module-level code (clients, loggers) sees the function's own environment.
  activate(fn);
  try {
    // A module instance of its own, not require's cached one.
    const mod = new Module(spec.bundlePath, null);
    mod.load(spec.bundlePath);
    const exported = mod.exports;
    let handler = exported[spec.exportName];
    if (handler === undefined && exported.default) handler = exported.default[spec.exportName];
    if (typeof handler !== 'function') {
      return { error: { errorType: 'Runtime.HandlerNotFound', errorMessage: spec.handler + ' is undefined or not exported' } };
    }
    fn.handler = handler;
    functions.set(name, fn);
    return { fn };
  } catch (err) {
    return { error: { ...toError(err, 'Runtime.ImportModuleError'), errorType: 'Runtime.ImportModuleError' } };
  }
}

parentPort.on('message', (message) => {
  if (message.type === 'abort') {
    const stream = streams.get(message.id);
    if (stream && !stream.destroyed) stream.destroy();
    return;
  }
  if (message.type !== 'invoke') return;
  const { id, deadlineMs } = message;
  current = id;
  let fn = functions.get(message.fn);
  if (message.load) {
    const loaded = load(message.fn, message.load);
    if (loaded.error) {
      current = undefined;
      parentPort.postMessage({ type: 'result', id, ok: false, error: loaded.error, initError: true });
      return;
    }
    fn = loaded.fn;
    // Written now, not at exit: workers are terminated, and what a cold start compiled is the point.
    if (compileCache && typeof Module.flushCompileCache === 'function') Module.flushCompileCache();
  } else if (!fn) {
    current = undefined;
    parentPort.postMessage({ type: 'result', id, ok: false, initError: true, error: { errorType: 'Runtime.HandlerNotFound', errorMessage: message.fn + ' is not loaded in this worker' } });
    return;
  }
  activate(fn);
  const handler = fn.handler;
  const base = fn.base;
  let settled = false;
  const finish = (ok, value) => {
    if (settled) return;
    settled = true;
    current = undefined;
    streams.delete(id);
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
    if (handler[STREAMING]) {
      const stream = new Writable({
        write(chunk, encoding, done) {
          const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
          parentPort.postMessage({ type: 'chunk', id, data });
          done();
        },
      });
      stream.setContentType = () => {};
      streams.set(id, stream);
      Promise.resolve(handler(event, stream, context)).then(() => finish(true, null), (e) => finish(false, e));
      return;
    }
    const callback = (err, value) => (err ? finish(false, err) : finish(true, value));
    const out = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
    if (out && typeof out.then === 'function') out.then((v) => finish(true, v), (e) => finish(false, e));
    else if (handler.length < 3) finish(true, out);
  } catch (err) {
    finish(false, err);
  }
});
`;
