import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { appConfig, sessionConfig } from '../src/config';
import { KubeObject, kustomize, readObjects, schemaProblems } from './support/kubernetes';

/*
 * deploy/kubernetes, without a cluster: each overlay rendered by `kubectl kustomize`, every object
 * validated against the Kubernetes OpenAPI schemas (kubernetes-models; the ServiceMonitor against
 * its CRD's schema from @kubernetes-models/prometheus-operator), then read as structure for what
 * matters to this service and no schema knows: the probes, the drain's time, who selects whom.
 * Not checked: fields the schemas do not know (Kubernetes' OpenAPI leaves objects open, so a
 * misspelt optional key passes them; the structural checks below read every key this service
 * relies on), anything an admission controller or the API server decides.
 */
const root = join(__dirname, '..');
const kubernetes = join(root, 'deploy/kubernetes');
const OVERLAYS = ['single', 'fleet'];
/** What the shutdown takes beyond SHUTDOWN_GRACE_MS and REDIS_COMMAND_TIMEOUT_MS: clients closing, Dify's stop calls (docs/operating.md). */
const SHUTDOWN_FIXED_SECONDS = 2 + 2;

const rendered = Object.fromEntries(OVERLAYS.map((overlay) => [overlay, kustomize(join(kubernetes, overlay))]));
const examples = readdirSync(join(kubernetes, 'examples')).flatMap((file) =>
  readObjects(readFileSync(join(kubernetes, 'examples', file), 'utf8')),
);

const the = <T>(objects: KubeObject[], kind: string): T => {
  const found = objects.filter((object) => object.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as T;
};
const deploymentOf = (overlay: string) => the<IDeployment>(rendered[overlay], 'Deployment');
const containerOf = (overlay: string): IContainer => deploymentOf(overlay).spec!.template.spec!.containers[0];
/** The environment a container starts with: its ConfigMap and Secret (envFrom), then its own env. */
function environmentOf(overlay: string): Record<string, string> {
  const configMap = the<IConfigMap>(rendered[overlay], 'ConfigMap');
  const secret = the<ISecret>(rendered[overlay], 'Secret');
  const env: Record<string, string> = { ...configMap.data, ...secret.stringData };
  for (const variable of containerOf(overlay).env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    env[variable.name] = variable.value ?? (key === undefined ? '' : secret.stringData![key]);
  }
  return env;
}
/** A config factory's values for `env` (as the service would read them at start-up). */
function configWith<T>(factory: () => T, env: Record<string, string>): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    return factory();
  } finally {
    process.env = saved;
  }
}

describe.each(OVERLAYS)('deploy/kubernetes/%s', (overlay) => {
  it('renders objects that the Kubernetes schemas accept, the ServiceMonitor by its CRD', () => {
    const kinds = rendered[overlay].map((object) => object.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'ConfigMap', 'Secret', 'Ingress', 'ServiceMonitor']));
    expect(schemaProblems(rendered[overlay])).toEqual({});
  });

  it('probes readiness on /health/ready and liveness on /health, on the port the service listens on', () => {
    const container = containerOf(overlay);
    const env = environmentOf(overlay);
    const port = container.ports!.find((p) => p.name === 'http')!;
    expect(String(port.containerPort)).toBe(env.PORT);
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    // Readiness calls Dify (5 s at most) and Redis (REDIS_COMMAND_TIMEOUT_MS): its timeout must outlast both.
    const { commandTimeoutMs } = configWith(sessionConfig, env);
    expect(container.readinessProbe!.timeoutSeconds! * 1000).toBeGreaterThan(Math.max(5000, commandTimeoutMs));
  });

  it('gives the pod time for the preStop sleep, SHUTDOWN_GRACE_MS, the hand-over and closing Redis before SIGKILL', () => {
    const env = environmentOf(overlay);
    const { shutdownGraceMs } = configWith(appConfig, env);
    const { commandTimeoutMs } = configWith(sessionConfig, env);
    const [sleep, seconds] = containerOf(overlay).lifecycle!.preStop!.exec!.command!;
    expect(sleep).toBe('sleep');
    expect(Number(seconds)).toBeGreaterThanOrEqual(5);
    const drain = Number(seconds) + (shutdownGraceMs + commandTimeoutMs) / 1000 + SHUTDOWN_FIXED_SECONDS;
    expect(deploymentOf(overlay).spec!.template.spec!.terminationGracePeriodSeconds).toBeGreaterThan(drain);
  });

  it("runs as the image's non-root user on a read-only root filesystem, with /tmp writable", () => {
    const pod = deploymentOf(overlay).spec!.template.spec!;
    const container = containerOf(overlay);
    // The Dockerfile's USER node is uid 1000 in the node images; runAsNonRoot needs it by number.
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.securityContext!.capabilities!.drop).toEqual(['ALL']);
    const tmp = container.volumeMounts!.find((mount) => mount.mountPath === '/tmp')!;
    expect(pod.volumes!.find((volume) => volume.name === tmp.name)!.emptyDir).toBeDefined();
  });

  it('routes the Ingress and the ServiceMonitor to the Service, and the Service to the pods', () => {
    const objects = rendered[overlay];
    const labels = deploymentOf(overlay).spec!.template.metadata!.labels!;
    const service = the<IService>(objects, 'Service');
    expect(labels).toMatchObject(service.spec!.selector!);
    const servicePort = service.spec!.ports![0];
    expect(servicePort.targetPort).toBe('http');
    expect(servicePort.appProtocol).toBe('kubernetes.io/ws');

    const ingress = the<IIngress>(objects, 'Ingress');
    const backend = ingress.spec!.rules![0].http!.paths[0].backend.service!;
    expect(backend).toEqual({ name: service.metadata!.name, port: { name: servicePort.name } });
    const annotations = ingress.metadata!.annotations!;
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);

    const monitor = the<KubeObject & { spec: { selector: { matchLabels: object }; endpoints: { port: string; path: string }[] } }>(
      objects,
      'ServiceMonitor',
    );
    expect(service.metadata!.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: servicePort.name, path: '/metrics' })]);
  });

  it('passes only variables .env.example documents', () => {
    const documented = readFileSync(join(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^#? ?[A-Z_]+=/.test(line))
      .map((line) => line.replace(/^# ?/, '').split('=')[0]);
    expect(documented).toEqual(expect.arrayContaining(Object.keys(environmentOf(overlay))));
  });
});

describe('the overlays', () => {
  it('single: one instance on its memory store, with neither a disruption budget nor an autoscaler', () => {
    expect(deploymentOf('single').spec!.replicas).toBe(1);
    expect(environmentOf('single')).not.toHaveProperty('REDIS_URL');
    expect(rendered.single.map((object) => object.kind)).not.toEqual(expect.arrayContaining(['PodDisruptionBudget']));
    expect(rendered.single.map((object) => object.kind)).not.toEqual(expect.arrayContaining(['HorizontalPodAutoscaler']));
  });

  it('fleet: several instances, REDIS_URL from the Secret, one pod disrupted at a time, scaled on CPU', () => {
    const deployment = deploymentOf('fleet');
    expect(deployment.spec!.replicas).toBeGreaterThan(1);
    const redis = containerOf('fleet').env!.find((variable) => variable.name === 'REDIS_URL')!;
    const secret = the<ISecret>(rendered.fleet, 'Secret');
    expect(redis.valueFrom!.secretKeyRef!.name).toBe(secret.metadata!.name);
    expect(secret.stringData).toHaveProperty(redis.valueFrom!.secretKeyRef!.key);

    const labels = deployment.spec!.template.metadata!.labels!;
    const budget = the<IPodDisruptionBudget>(rendered.fleet, 'PodDisruptionBudget');
    expect(labels).toMatchObject(budget.spec!.selector!.matchLabels!);
    expect(budget.spec!.maxUnavailable).toBe(1);

    const autoscaler = the<IHorizontalPodAutoscaler>(rendered.fleet, 'HorizontalPodAutoscaler');
    expect(autoscaler.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata!.name });
    expect(autoscaler.spec.minReplicas).toBeGreaterThan(1);
    expect(autoscaler.spec.metrics![0].resource!.name).toBe('cpu');
  });

  it('ships the answers-in-flight autoscaler example valid, on a metric the service exports', () => {
    expect(schemaProblems(examples)).toEqual({});
    const [autoscaler] = examples as IHorizontalPodAutoscaler[];
    expect(autoscaler.spec.metrics![0].pods!.metric.name).toBe('realtime_rag_answers_in_flight');
  });

  it('refuses what the schemas refuse: a wrong type, a missing required field, a kind nobody defines', () => {
    const deployment = structuredClone(deploymentOf('fleet'));
    deployment.spec!.replicas = 'three' as unknown as number;
    const container = deployment.spec!.template.spec!.containers[0] as Partial<IContainer>;
    delete container.name;
    const monitor = structuredClone(the<KubeObject>(rendered.fleet, 'ServiceMonitor')) as KubeObject & { spec: object };
    monitor.spec = { selector: {}, endpoints: [{ port: 8000 }] };
    const unknown = { apiVersion: 'apps/v1', kind: 'Deployement', metadata: { name: 'typo' } };
    const problems = schemaProblems([deployment as KubeObject, monitor, unknown]);
    expect(problems['Deployment/realtime-rag'].join()).toMatch(/replicas must be integer/);
    expect(problems['Deployment/realtime-rag'].join()).toMatch(/containers\/0 must have required property name/);
    expect(problems['ServiceMonitor/realtime-rag'].join()).toMatch(/port must be string/);
    expect(problems['Deployement/typo']).toEqual(['no schema for apps/v1 Deployement']);
  });
});
