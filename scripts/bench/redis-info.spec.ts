import { countersOf, redisDelta, totalCommands } from './redis-info';

/** An INFO reply as redis-server 7 writes it (CRLF lines, section headers), trimmed to what is read. */
function info(fields: { memory: number; input: number; output: number; user: number; sys: number; xadd: number; infos: number }): string {
  return [
    '# Memory',
    `used_memory:${fields.memory}`,
    'used_memory_human:1.00M',
    '',
    '# Stats',
    `total_net_input_bytes:${fields.input}`,
    `total_net_output_bytes:${fields.output}`,
    '',
    '# CPU',
    `used_cpu_sys:${fields.sys}`,
    `used_cpu_user:${fields.user}`,
    '',
    '# Commandstats',
    `cmdstat_xadd:calls=${fields.xadd},usec=10,usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_info:calls=${fields.infos},usec=99,usec_per_call=9.00,rejected_calls=0,failed_calls=0`,
  ].join('\r\n');
}

describe('redis-info (the Redis figures of npm run bench)', () => {
  const node = { memory: 1000, input: 100, output: 50, user: 1.5, sys: 0.5, xadd: 10, infos: 3 };

  it("sums a Cluster's nodes and leaves the benchmark's own INFO out of the commands", () => {
    const counters = countersOf([info(node), info({ ...node, memory: 3000, xadd: 5 })]);
    expect(counters).toEqual({
      commands: { xadd: 15 },
      netInputBytes: 200,
      netOutputBytes: 100,
      usedMemoryBytes: 4000,
      cpuSeconds: 4,
    });
    expect(totalCommands(counters)).toBe(15);
  });

  it('gives what happened between two readings, a command first seen in the later one included', () => {
    const before = countersOf([info(node)]);
    const after = countersOf([
      info({ ...node, memory: 1500, input: 700, output: 80, user: 2, xadd: 16 }) + '\r\ncmdstat_exec:calls=4,usec=1',
    ]);
    expect(redisDelta(before, after)).toEqual({
      commands: { xadd: 6, exec: 4 },
      netInputBytes: 600,
      netOutputBytes: 30,
      usedMemoryBytes: 500,
      cpuSeconds: 0.5,
    });
  });

  it('reads a field INFO did not give as not a number, for the sanity check to refuse', () => {
    expect(countersOf(['# Memory\r\nused_memory:5']).netInputBytes).toBeNaN();
  });
});
