import type { AppConfig } from '../config';
import { ServiceInfoController } from './service-info.controller';

/**
 * What GET / does when Express's negotiation between JSON and HTML picks `preferred` (false: neither
 * is acceptable): `page` when it leaves the request to the demo page's static files, else the JSON
 * it sent. (Express's negotiation itself, over real requests: test/demo-page-serving.e2e-spec.ts.)
 */
function root(preferred: string | false, demoPage = true): { answer: unknown; offered: string[]; varied: string[] } {
  let answer: unknown = 'nothing';
  const offered: string[] = [];
  const varied: string[] = [];
  const request = { accepts: (types: string[]) => (offered.push(...types), preferred) };
  const response = { vary: (field: string) => varied.push(field), json: (body: unknown) => (answer = body) };
  new ServiceInfoController({ demoPage } as AppConfig).root(request, response, () => (answer = 'page'));
  return { answer, offered, varied };
}

const INFO = { name: 'realtime-rag', version: expect.stringMatching(/^\d+\.\d+\.\d+/), status: 'running' };

describe('ServiceInfoController (GET /)', () => {
  it('offers JSON first, so */* and no Accept get JSON, and says the answer varies by Accept', () => {
    expect(root('json')).toEqual({ answer: INFO, offered: ['json', 'html'], varied: ['Accept'] });
  });

  it('leaves a request that prefers HTML (a browser) to the demo page', () => {
    expect(root('html').answer).toBe('page');
  });

  it('answers JSON to a browser too when there is no demo page (DEMO_PAGE=false)', () => {
    expect(root('html', false).answer).toEqual(INFO);
  });

  it('answers JSON when the client accepts neither', () => {
    expect(root(false).answer).toEqual(INFO);
  });
});
