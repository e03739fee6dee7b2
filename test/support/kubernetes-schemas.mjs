// Validates Kubernetes objects (a JSON array on stdin) against the OpenAPI schemas that
// kubernetes-models (Kubernetes' own API) and @kubernetes-models/prometheus-operator (the
// ServiceMonitor CRD's schema) ship, offline. Both packages are ES modules only, so this runs as a
// child process of the test (jest loads CommonJS). Prints one line of JSON: the problems, by object.

/** The package that holds the models of an apiVersion. */
function modelsOf(apiVersion) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

async function problemsOf(object) {
  let models;
  try {
    models = await import(modelsOf(object.apiVersion));
  } catch {
    return [`no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = models[object.kind];
  if (typeof Model !== 'function') return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error.message];
  }
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const objects = JSON.parse(input);
const problems = {};
for (const object of objects) {
  const found = await problemsOf(object);
  if (found.length > 0) problems[`${object.kind}/${object.metadata?.name}`] = found;
}
process.stdout.write(JSON.stringify(problems));
