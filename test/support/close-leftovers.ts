/**
 * Jest setup for the e2e suites: what a test opened is closed even when it failed before its own
 * close. Every WsTestClient a test opened (in the test or its beforeEach) is cut after it, and every
 * one left at the end of the file (opened in a beforeAll) after the file: leftover sockets would count
 * against the next test's MAX_CONNECTIONS_PER_IP and answer slots. Apps and stacks a test started and
 * never closed are closed after the file.
 */
import { closeLeftovers } from './stack';
import { WsTestClient } from './ws-test-client';

let mark = 0;

beforeEach(() => {
  mark = WsTestClient.openedSoFar;
});

afterEach(() => WsTestClient.terminateOpenSince(mark));

afterAll(async () => {
  await WsTestClient.terminateOpenSince(0);
  await closeLeftovers();
});
