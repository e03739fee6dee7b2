/**
 * Jest setup for the e2e suites: a test fails if the server sent any message that the protocol
 * contract (docs/asyncapi.yaml) does not describe, even one the test itself did not look at.
 */
import { contractViolations } from './ws-test-client';

afterEach(() => {
  const violations = contractViolations.splice(0);
  if (violations.length > 0) throw new Error(`Messages outside the protocol contract:\n${violations.join('\n')}`);
});
