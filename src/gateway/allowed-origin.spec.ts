import type { IncomingMessage } from 'node:http';
import { isAllowedOrigin } from './allowed-origin';

const request = (host?: string) => ({ headers: host ? { host } : {} }) as IncomingMessage;

describe('isAllowedOrigin', () => {
  it('allows a client that sends no Origin: not a browser', () => {
    expect(isAllowedOrigin(undefined, request('rag.example.com'), 'same-origin')).toBe(true);
    expect(isAllowedOrigin(undefined, request('rag.example.com'), ['https://app.example.com'])).toBe(true);
  });

  it("allows by default the service's own origin: the Origin's host is the request's Host, whatever the scheme", () => {
    expect(isAllowedOrigin('http://127.0.0.1:8000', request('127.0.0.1:8000'), 'same-origin')).toBe(true);
    expect(isAllowedOrigin('https://RAG.example.com', request('rag.example.com'), 'same-origin')).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8001', request('127.0.0.1:8000'), 'same-origin')).toBe(false);
    expect(isAllowedOrigin('https://rag.example.com.evil.test', request('rag.example.com'), 'same-origin')).toBe(false);
  });

  it('refuses any other page by default, the opaque origin null included', () => {
    expect(isAllowedOrigin('https://evil.test', request('rag.example.com'), 'same-origin')).toBe(false);
    expect(isAllowedOrigin('null', request('rag.example.com'), 'same-origin')).toBe(false);
    expect(isAllowedOrigin('null', request(), 'same-origin')).toBe(false);
  });

  it('allows exactly the listed origins (the list is lower case): the own one only if listed', () => {
    const allowed = ['https://app.example.com', 'http://localhost:3000'];
    expect(isAllowedOrigin('https://app.example.com', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('https://App.Example.com', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('http://app.example.com', request('rag.example.com'), allowed)).toBe(false);
    expect(isAllowedOrigin('http://localhost:3001', request('rag.example.com'), allowed)).toBe(false);
    // A page whose DNS name was rebound to the service's address sends its own host in Host too.
    expect(isAllowedOrigin('http://rebound.evil.test', request('rebound.evil.test'), allowed)).toBe(false);
  });

  it('allows any origin with *', () => {
    expect(isAllowedOrigin('https://evil.test', request('rag.example.com'), '*')).toBe(true);
  });
});
