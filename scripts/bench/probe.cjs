/**
 * Preloaded (`node --expose-gc -r ./probe.cjs`) into the processes the benchmark measures, so it can
 * ask them over the IPC channel for their memory after a full GC, and for a CPU profile (written on
 * request, and heap snapshots: the service re-raises SIGTERM, so --cpu-prof's write-at-exit would never run).
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { writeHeapSnapshot } = require('node:v8');

let session;

const handlers = {
  memory() {
    global.gc();
    global.gc();
    return process.memoryUsage();
  },
  'heap-snapshot'({ path }) {
    global.gc();
    return { path: writeHeapSnapshot(path) };
  },
  async 'profile-start'() {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  },
  async 'profile-stop'({ path }) {
    const { profile } = await post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
    return { path };
  },
};

function post(method) {
  return new Promise((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
}

process.on('message', async (request) => {
  const handler = handlers[request && request.probe];
  if (!handler) return;
  process.send({ probe: request.probe, id: request.id, result: await handler(request) });
});
