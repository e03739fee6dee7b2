// The layering of docs/developing.md#layering, checked by `npm run lint:deps` (part of `npm run lint`).
// Type-only imports count: a type is a dependency too.

/**
 * The module table: each folder under src/ and the other modules it may import (always through their
 * index.ts). local-dify is missing from every list: the `local-dify-only-from-the-wiring` rule has it.
 * A module outside src/ names its `folder`: it imports nothing outside it (its specs may use test/support/).
 */
const MODULES = {
  gateway: {
    mayImport: ['conversation', 'batch', 'auth', 'tenancy', 'protocol', 'config', 'metrics', 'lifecycle', 'tracing'],
    is: 'the outer layer: sockets and the wire protocol',
  },
  conversation: {
    mayImport: ['dify', 'upstream', 'session-hub', 'session', 'protocol', 'config', 'metrics', 'lifecycle', 'tracing'],
    is: 'hearing and asking (turns, barge-in, retraction), nothing of sockets',
  },
  // protocol: the room fans out and logs the wire's own messages (one vocabulary), and ends an answer with its final chunk.
  'session-hub': {
    mayImport: ['session', 'protocol', 'config', 'lifecycle', 'tracing'],
    is: 'sessions and answers, nothing of turns or sockets: the rooms (fan-out, resume, following), the answer logs, the single-flight leases',
  },
  // metrics: the in-memory store's size gauge (session.module.ts).
  session: {
    mayImport: ['config', 'metrics', 'lifecycle'],
    is: "a session's conversation behind the SessionStore abstraction, and the Redis connection",
  },
  dify: { mayImport: ['config', 'lifecycle', 'tracing'], is: "Dify's HTTP API, nothing of sessions or turns" },
  upstream: {
    mayImport: ['dify', 'session', 'config', 'lifecycle'],
    is: "an app's knowledge base behind one port: Dify (through DifyClient), OpenAI-compatible, RAGFlow, FastGPT",
  },
  auth: { mayImport: ['config'], is: 'who a client is' },
  tenancy: { mayImport: ['config'], is: 'the app registry (APPS): which apps there are, who may use which' },
  config: { mayImport: [], is: 'the validated configuration every module reads' },
  protocol: { mayImport: [], is: 'the wire messages and error codes gateway and conversation share' },
  // The observers import what they observe, through its public pieces.
  // metrics: each probe's verdict as realtime_rag_dependency_up (the dashboard's Dify and Redis health).
  health: {
    mayImport: ['dify', 'upstream', 'session-hub', 'session', 'lifecycle', 'config', 'metrics'],
    is: 'readiness of Dify and the session store, and shutdown',
  },
  metrics: { mayImport: [], is: 'the Prometheus registry the others count in' },
  logging: { mayImport: ['auth', 'config', 'tracing'], is: "pino with redaction (auth's token parameter names), trace ids" },
  // config: the service's name and version on the traces' resource.
  tracing: { mayImport: ['config'], is: 'OpenTelemetry traces: off unless configured, spans around streams and calls' },
  // The others register their shutdown steps with it; it reads only the grace.
  lifecycle: { mayImport: ['config'], is: 'the shutdown: its state and its one sequence of phases' },
  batch: {
    mayImport: ['conversation', 'session', 'auth', 'tenancy', 'protocol', 'config', 'lifecycle', 'metrics', 'tracing'],
    is: 'the HTTP batch API: many questions answered offline',
  },
  demo: {
    mayImport: ['dify', 'auth', 'tenancy', 'config'],
    is: 'the demo page and what it needs to know: the config, the apps a token may use, whether a Dify app speaks',
  },
  'local-dify': { mayImport: [], is: 'a separate Dify-compatible server that happens to ship inside' },
  // Compiled for browsers on its own (client/tsconfig.build.json): it can carry nothing of the server.
  client: { folder: 'client/', mayImport: [], is: 'the client library for browsers and Node, typed by the contract alone' },
};

const NAMES = Object.keys(MODULES);
const SPEC = '\\.spec\\.ts$';
const CLIENT_ENTRY = '^client/src/realtime-rag-client\\.ts$';
const allowed = (names) =>
  names.length
    ? `may import only ${names.map((name) => `${name}/`).join(', ')} of the app's other modules, never the wiring`
    : "imports none of the app's other modules, nor the wiring";

const moduleTable = Object.entries(MODULES).map(([name, { mayImport, is, folder }]) =>
  folder
    ? {
        name: `module-table-${name}`,
        comment: `${folder} (${is}) imports nothing outside ${folder}; its specs may use test/support/ (docs/developing.md#layering).`,
        severity: 'error',
        from: { path: `^${folder}`, pathNot: SPEC },
        to: { path: '^(src|scripts|test)/' },
      }
    : {
        name: `module-table-${name}`,
        comment: `src/${name}/ (${is}) ${allowed(mayImport)} (docs/developing.md#layering).`,
        severity: 'error',
        from: { path: `^src/${name}/` },
        to: { path: '^src/', pathNot: [`^src/(${[name, ...mayImport].join('|')})/`, '^src/local-dify/'] },
      },
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'dify-and-session-know-no-turns-or-sockets',
      comment:
        'dify/, session-hub/ and session/ import nothing of conversation/ or gateway/: the data goes gateway → conversation → dify, session-hub, session, one direction in.',
      severity: 'error',
      from: { path: '^src/(dify|session-hub|session)/' },
      to: { path: '^src/(conversation|gateway)/' },
    },
    {
      name: 'conversation-knows-no-sockets',
      comment: 'conversation/ imports nothing of gateway/: it knows turns and sessions, never a socket.',
      severity: 'error',
      from: { path: '^src/conversation/' },
      to: { path: '^src/gateway/' },
    },
    ...moduleTable,
    {
      name: 'every-module-in-the-table',
      comment: `Every folder under src/ is a module of the table in .dependency-cruiser.cjs (${NAMES.join(', ')}): add a new one there with what it may import.`,
      severity: 'error',
      from: { path: `^src/(?!(${NAMES.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'modules-only-through-index',
      comment:
        "A module is imported only through its index.ts, its public pieces: from another module, the wiring (src/*.ts) or test/, an import of src/X/… must be src/X/index.ts. scripts/ may reach inside (unit-level tools such as the detector's CLI).",
      severity: 'error',
      from: { path: '^(src/[^/]+|test)(/|$)' },
      to: { path: '^src/[^/]+/', pathNot: ['^$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'local-dify-only-from-the-wiring',
      comment:
        'In src/ only the wiring (src/*.ts: it chooses the embedded Dify, once) imports local-dify/. Unit specs may use it as their upstream, as test/ and scripts/ do.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: ['^src/local-dify/', SPEC] },
      to: { path: '^src/local-dify/' },
    },
    {
      name: 'production-never-imports-tests-or-scripts',
      comment: 'Production code (src/, except the *.spec.ts beside it) never imports test/ or scripts/: the build ships src/ alone.',
      severity: 'error',
      from: { path: '^src/', pathNot: SPEC },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'the-server-never-imports-the-client',
      comment: 'Nothing in src/ imports client/: the client library talks to the server over the wire only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^client/' },
    },
    {
      name: 'the-client-only-through-its-entry',
      comment: 'scripts/ and test/ use the client library as its users do: through client/src/realtime-rag-client.ts.',
      severity: 'error',
      from: { path: '^(scripts|test)/' },
      to: { path: '^client/', pathNot: CLIENT_ENTRY },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, inside a module or between modules.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(src|scripts|test|client)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

// For scripts/layering-table.ts, which writes docs/developing.md's table from it. Not enumerable: the
// config's schema allows no keys of our own.
Object.defineProperty(module.exports, 'MODULES', { value: MODULES });
