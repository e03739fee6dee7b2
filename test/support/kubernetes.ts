import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object: its type meta and name, the rest as its kind's model describes it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}

/** `kubectl kustomize DIR`'s objects. kubectl comes from Debian's packages (.ci/run installs it). */
export function kustomize(directory: string): KubeObject[] {
  let rendered: string;
  try {
    rendered = execFileSync('kubectl', ['kustomize', directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error('kubectl is not installed: apt-get install -y kubectl (.ci/run does)');
    throw new Error(`kubectl kustomize ${directory} failed: ${stderr ?? String(error)}`);
  }
  return readObjects(rendered);
}

/** The objects of a multi-document YAML text. */
export function readObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/**
 * What the Kubernetes OpenAPI schemas (kubernetes-models, @kubernetes-models/prometheus-operator for
 * the ServiceMonitor CRD) find wrong with each object, by `Kind/name`; empty when all are valid.
 */
export function schemaProblems(objects: KubeObject[]): Record<string, string[]> {
  const output = execFileSync(process.execPath, [join(__dirname, 'kubernetes-schemas.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, string[]>;
}
