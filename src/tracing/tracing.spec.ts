import { of } from 'rxjs';
import { inTraceContextOf, logFields, traced, tracedCall, traceHeaders } from './spans';
import { tracesWanted, tracingOn } from './tracing';

describe('tracing', () => {
  it('is wanted only when the standard variables ask for it', () => {
    expect(tracesWanted({})).toBe(false);
    expect(tracesWanted({ OTEL_SERVICE_NAME: 'realtime-rag' })).toBe(false);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracesWanted({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracesWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('costs nothing when off: the very stream, the very call, no headers, no log fields', async () => {
    expect(tracingOn()).toBe(false);
    const answer = of(1, 2, 3);
    const attributes = jest.fn(() => ({}));
    expect(traced('answer', { attributes })(answer)).toBe(answer);
    expect(attributes).not.toHaveBeenCalled();
    const work = jest.fn(() => Promise.resolve(42));
    await expect(tracedCall('session.get', work)).resolves.toBe(42);
    expect(work).toHaveBeenCalledTimes(1);
    expect(traceHeaders()).toEqual({});
    expect(logFields()).toEqual({});
    expect(inTraceContextOf({}, () => 'ran')).toBe('ran');
  });
});
