import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { assertInbound, assertOutbound } from './protocol-contract';
import { contractViolations } from './ws-test-client';

/** Debian's chromium (.ci/run installs it with fonts-noto-cjk, so Chinese renders in screenshots). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Containers and CI machines: no sandbox (root), no GPU, nothing fetched from the internet.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
}

/**
 * Checks every WebSocket frame the page sends and receives against docs/asyncapi.yaml (failures
 * land in contractViolations, which fails the test), and collects the page's console errors.
 */
export function watchPage(page: Page): { consoleErrors: string[] } {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('websocket', (socket) => {
    const check = (assert: (message: unknown) => void, payload: string | Buffer) => {
      try {
        assert(JSON.parse(payload.toString()));
      } catch (error) {
        contractViolations.push((error as Error).message);
      }
    };
    socket.on('framesent', ({ payload }) => check(assertInbound, payload));
    socket.on('framereceived', ({ payload }) => check(assertOutbound, payload));
  });
  return { consoleErrors };
}
