/** Polls until the condition holds (it may be asynchronous, such as an HTTP call); fails the test after `timeoutMs` (room for a busy CI machine; a hang still fails). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
