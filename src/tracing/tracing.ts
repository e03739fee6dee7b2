import { context, propagation, trace, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { packageInfo } from '../config';

/**
 * The OpenTelemetry SDK, started only when the standard variables ask for traces
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_TRACES_EXPORTER=otlp;
 * OTEL_SDK_DISABLED=true wins). Off, no SDK is started and every hook of this module is a
 * plain pass-through. On: spans go over OTLP/HTTP in batches, sampled as OTEL_TRACES_SAMPLER and
 * OTEL_TRACES_SAMPLER_ARG say, with OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES on the resource.
 */
let provider: NodeTracerProvider | undefined;

/** Whether the environment asks for traces. */
export function tracesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim());
  if (exporters.includes('none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporters.includes('otlp'));
}

/** Starts the SDK if the environment asks for traces (once); true when tracing is on. */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (provider || !tracesWanted(env)) return provider !== undefined;
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': packageInfo.name, 'service.version': packageInfo.version }))
    .merge(detectResources({ detectors: [envDetector] }));
  provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  // The async-hooks context manager and the W3C traceparent propagator.
  provider.register();
  return true;
}

export function tracingOn(): boolean {
  return provider !== undefined;
}

/** Sends the spans still buffered (at shutdown, or in a test). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Flushes and stops the SDK; the API falls back to doing nothing. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  if (!stopping) return;
  await stopping.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
}

export const tracer = (): Tracer => trace.getTracer(packageInfo.name, packageInfo.version);
