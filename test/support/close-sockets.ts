/**
 * Jest setup for the e2e suites: every WsTestClient a test opened (in the test or its beforeEach) is
 * cut after it, and every one left at the end of the file (opened in a beforeAll) after the file, even
 * when the test failed before its own close: leftover sockets would count against the next test's
 * MAX_CONNECTIONS_PER_IP and answer slots.
 */
import { WsTestClient } from './ws-test-client';

let mark = 0;

beforeEach(() => {
  mark = WsTestClient.openedSoFar;
});

afterEach(() => WsTestClient.terminateOpenSince(mark));

afterAll(() => WsTestClient.terminateOpenSince(0));
