/** Prints the turn-taking figures as a table, with the goals met or missed beside them. */
import { CLASSES, POLICIES } from './turn-scoring';
import { TurnFigures } from './turns';

const cell = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : String(value));

export function printTurns(f: TurnFigures): void {
  const total = Object.values(f.turns).reduce((a, b) => a + b, 0);
  console.log(`turn-taking: ${total} turns on each policy, first token ${f.firstTokenMs} ms, ${f.durationSeconds} s`);
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(24)}${cells.map((c) => String(c).padStart(11)).join('')}`);
  row('', 'turns', 'p50 ms', 'p95 ms', 'whole %', 'premature', 'abandoned', 'calls/q', 'failures');
  for (const cls of CLASSES)
    for (const policy of POLICIES) {
      const c = f.policies[policy].classes[cls];
      row(
        `${cls} ${policy}`,
        c.turns,
        cell(c.latencyMs.p50),
        cell(c.latencyMs.p95),
        cell(c.wholePct),
        c.premature,
        c.abandoned,
        c.callsPerQuestion,
        c.failures,
      );
    }
  for (const policy of POLICIES) {
    const p = f.policies[policy];
    const midAnswer = p.classes.backchannel.backchannelsMidAnswer;
    console.log(
      `  ${policy}: abandoned ${p.abandoned} of ${p.questions} questions (${p.abandonedPct}%); backchannels said mid-answer ${midAnswer}/${p.classes.backchannel.turns}`,
    );
  }
  console.log('  goals');
  for (const [i, goal] of f.policies.fixed.goals.entries()) {
    const verdicts = POLICIES.map((policy) => {
      const g = f.policies[policy].goals[i];
      return `${policy} ${cell(g.value)} ${g.met ? 'met' : 'missed'}`;
    });
    console.log(`    ${`${goal.name} ${goal.target}`.padEnd(46)}${verdicts.map((v) => v.padEnd(24)).join('')}`);
  }
  for (const failure of f.failures) console.error(`  FAILED ${failure}`);
}
