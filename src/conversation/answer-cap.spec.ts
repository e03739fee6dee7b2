import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { capAnswer, capText } from './answer-cap';

type Event = { text: string; replace: boolean } | { step: string } | { end: true; sources: unknown[] };
const piece = (text: string, replace = false): Event => ({ text, replace });
const capped = (max: number, ...events: Event[]) => lastValueFrom(of(...events).pipe(capAnswer<Event>(max), toArray()));
const CUT = { end: true, cut: true, sources: [] };

describe('capAnswer', () => {
  it('passes an answer within the cap untouched, its other events and end included', async () => {
    const events = [piece('abc'), { step: 'llm' }, piece('de'), { end: true as const, sources: [] }];
    expect(await capped(5, ...events)).toEqual(events);
  });

  it('cuts the piece that crosses the cap, ends the answer there, and stops reading', async () => {
    const source = new Subject<Event>();
    const seen: unknown[] = [];
    source.pipe(capAnswer<Event>(5)).subscribe((event) => seen.push(event));
    source.next(piece('abc'));
    source.next(piece('defg'));
    expect(seen).toEqual([piece('abc'), piece('de'), CUT]);
    expect(source.observed).toBe(false);
  });

  it('counts code points, and never cuts a surrogate pair in two', async () => {
    expect(await capped(3, piece('😀😀'), piece('😀😀'))).toEqual([piece('😀😀'), piece('😀'), CUT]);
    // Exactly at the cap is within it.
    expect(await capped(2, piece('😀😀'))).toEqual([piece('😀😀')]);
  });

  it("counts a replaced answer's length from the replacement", async () => {
    expect(await capped(5, piece('abcd'), piece('xy', true), piece('zzz'))).toEqual([piece('abcd'), piece('xy', true), piece('zzz')]);
    expect(await capped(5, piece('abcd'), piece('uvwxyz', true))).toEqual([piece('abcd'), piece('uvwxy', true), CUT]);
  });

  it('ends an answer replaced over and over once it streamed twice the cap in all', async () => {
    const replaced = Array.from({ length: 10 }, () => piece('abcd', true));
    expect(await capped(5, ...replaced)).toEqual([piece('abcd', true), piece('abcd', true), CUT]);
  });

  it('cuts a saved answer (a whole text) the same way, and says so', () => {
    expect(capText('abc', 3)).toEqual({ text: 'abc', cut: false });
    expect(capText('😀😀😀', 3)).toEqual({ text: '😀😀😀', cut: false });
    expect(capText('😀😀😀😀', 3)).toEqual({ text: '😀😀😀', cut: true });
  });
});
