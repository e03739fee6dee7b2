import { isStaticFile } from './static-file';

describe('isStaticFile', () => {
  it('knows the demo page, its scripts and stylesheets, the client library and a favicon', () => {
    for (const url of [
      '/',
      '/?ws=ws%3A%2F%2Fhost%2Fws',
      '/index.html',
      '/demo.js',
      '/demo.css',
      '/client/realtime-rag-client.js',
      '/favicon.ico',
    ])
      expect(isStaticFile(url)).toBe(true);
  });

  it('leaves the API and the WebSocket path alone, query or not', () => {
    for (const url of ['/metrics', '/metrics?token=a.b', '/health/ready', '/demo/config', '/ws/realtime-asr', '/no-such-page'])
      expect(isStaticFile(url)).toBe(false);
  });
});
