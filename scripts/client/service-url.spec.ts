import { serviceHttpUrl, serviceWsUrl } from './service-url';

describe('serviceWsUrl', () => {
  it('is the default service without any variable', () => {
    expect(serviceWsUrl({})).toBe('ws://localhost:8000/ws/realtime-asr');
  });

  it('follows PORT, HOST and WS_PATH as the service does', () => {
    expect(serviceWsUrl({ PORT: '9100', HOST: '127.0.0.2', WS_PATH: '/asr' })).toBe('ws://127.0.0.2:9100/asr');
    expect(serviceWsUrl({ HOST: '::1' })).toBe('ws://[::1]:8000/ws/realtime-asr');
  });

  it('dials localhost when the service binds every interface', () => {
    expect(serviceWsUrl({ PORT: '9100', HOST: '0.0.0.0' })).toBe('ws://localhost:9100/ws/realtime-asr');
    expect(serviceWsUrl({ HOST: '::' })).toBe('ws://localhost:8000/ws/realtime-asr');
  });
});

describe('serviceHttpUrl', () => {
  it('is the default service without any variable', () => {
    expect(serviceHttpUrl({})).toBe('http://localhost:8000');
  });

  it('follows PORT and HOST, and ignores WS_PATH', () => {
    expect(serviceHttpUrl({ PORT: '9100', HOST: '127.0.0.2', WS_PATH: '/asr' })).toBe('http://127.0.0.2:9100');
    expect(serviceHttpUrl({ HOST: '::1' })).toBe('http://[::1]:8000');
  });

  it('dials localhost when the service binds every interface', () => {
    expect(serviceHttpUrl({ PORT: '9100', HOST: '0.0.0.0' })).toBe('http://localhost:9100');
    expect(serviceHttpUrl({ HOST: '::' })).toBe('http://localhost:8000');
  });
});
