import { parser } from '@prometheus-io/lezer-promql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '../src/metrics';

/*
 * deploy/grafana/realtime-rag.json: every panel's PromQL parses (the Prometheus project's own
 * grammar, @prometheus-io/lezer-promql) and names only series the service exports, read from the
 * registry of src/metrics/metrics.ts at run time. Not checked: label values (an `app` label another
 * module adds later keeps `by (app)` working without it), what Grafana draws.
 */
interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync(join(__dirname, '../deploy/grafana/realtime-rag.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
};
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Grafana's interval variables, replaced by a duration as Grafana does before Prometheus sees the query. */
const withIntervals = (expr: string) => expr.replace(/\$__(rate_)?interval\b/g, '5m');

/** The metric names a PromQL expression selects, or its syntax errors. */
function read(expr: string): { metrics: string[]; errors: string[] } {
  const metrics: string[] = [];
  const errors: string[] = [];
  const text = withIntervals(expr);
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from} of ${text}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(text.slice(node.from, node.to));
    },
  });
  return { metrics, errors };
}

/** Every series name the service's registry exposes: a histogram's _bucket, _sum and _count too. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = await new Metrics().registry.getMetricsAsJSON();
  return new Set(
    metrics.flatMap(({ name, type }) =>
      String(type) === 'histogram'
        ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
        : String(type) === 'summary'
          ? [name, `${name}_sum`, `${name}_count`]
          : [name],
    ),
  );
}

describe('deploy/grafana/realtime-rag.json', () => {
  it('has a query in every panel but the rows', () => {
    expect(dashboard.uid).toBe('realtime-rag');
    const withoutQuery = dashboard.panels.filter((panel) => panel.type !== 'row' && !panel.targets?.length).map((panel) => panel.title);
    expect(withoutQuery).toEqual([]);
    expect(queries.length).toBeGreaterThan(10);
  });

  it('queries only metrics the service exports, in PromQL that parses', async () => {
    const exported = await exportedSeries();
    const problems = queries.flatMap(({ panel, expr }) => {
      const { metrics, errors } = read(expr);
      const unknown = metrics.filter((metric) => !exported.has(metric)).map((metric) => `${panel}: ${metric} is not exported`);
      const empty = metrics.length === 0 ? [`${panel}: no metric in ${expr}`] : [];
      return [...errors.map((error) => `${panel}: ${error}`), ...unknown, ...empty];
    });
    expect(problems).toEqual([]);
  });

  it('shows what an operator asks first: connections, answers in flight per app, latency, errors, retractions, resumes, batch, Dify and Redis', () => {
    const used = new Set(queries.flatMap(({ expr }) => read(expr).metrics));
    for (const metric of [
      'realtime_rag_connections',
      'realtime_rag_answers_in_flight',
      'realtime_rag_first_chunk_seconds_bucket',
      'realtime_rag_errors_total',
      'realtime_rag_questions_retracted_total',
      'realtime_rag_resumes_total',
      'realtime_rag_batch_items_total',
      'realtime_rag_dependency_up',
    ]) {
      expect(used).toContain(metric);
    }
    expect(queries.map(({ expr }) => expr)).toContain('sum by (app) (realtime_rag_answers_in_flight)');
  });

  it('finds a metric the service does not export, and a query that does not parse', async () => {
    const exported = await exportedSeries();
    expect(read('sum(rate(realtime_rag_answers_total[$__rate_interval]))').metrics.filter((m) => !exported.has(m))).toEqual([
      'realtime_rag_answers_total',
    ]);
    expect(read('sum(rate(realtime_rag_connections[5m]) /').errors).not.toEqual([]);
  });
});
