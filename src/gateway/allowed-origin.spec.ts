import type { IncomingMessage } from 'node:http';
import { isAllowedOrigin } from './allowed-origin';

const request = (host?: string) => ({ headers: host ? { host } : {} }) as IncomingMessage;

describe('isAllowedOrigin', () => {
  it('allows a client that sends no Origin: not a browser', () => {
    expect(isAllowedOrigin(undefined, request('rag.example.com'), [])).toBe(true);
  });

  it("allows the service's own origin: the Origin's host is the request's Host, whatever the scheme", () => {
    expect(isAllowedOrigin('http://127.0.0.1:8000', request('127.0.0.1:8000'), [])).toBe(true);
    expect(isAllowedOrigin('https://RAG.example.com', request('rag.example.com'), [])).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8001', request('127.0.0.1:8000'), [])).toBe(false);
    expect(isAllowedOrigin('https://rag.example.com.evil.test', request('rag.example.com'), [])).toBe(false);
  });

  it('refuses any other page by default, the opaque origin null included', () => {
    expect(isAllowedOrigin('https://evil.test', request('rag.example.com'), [])).toBe(false);
    expect(isAllowedOrigin('null', request('rag.example.com'), [])).toBe(false);
    expect(isAllowedOrigin('null', request(), [])).toBe(false);
  });

  it('allows the listed origins exactly (the list is lower case), and any with *', () => {
    const allowed = ['https://app.example.com', 'http://localhost:3000'];
    expect(isAllowedOrigin('https://app.example.com', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('https://App.Example.com', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', request('rag.example.com'), allowed)).toBe(true);
    expect(isAllowedOrigin('http://app.example.com', request('rag.example.com'), allowed)).toBe(false);
    expect(isAllowedOrigin('http://localhost:3001', request('rag.example.com'), allowed)).toBe(false);
    expect(isAllowedOrigin('https://evil.test', request('rag.example.com'), '*')).toBe(true);
  });
});
