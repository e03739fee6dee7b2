import { ItemResult } from './batch.types';
import { toCsv, toJsonLines } from './results-export';

const result = (index: number, text: string, content: string): ItemResult => ({ index, text, content, sources: [], usage: null });

describe('toCsv', () => {
  it("neutralises what a spreadsheet would run as a formula, in texts and answers alike, with a leading '", () => {
    const csv = toCsv([
      result(0, '=1+1', '+SUM(A1:A9)'),
      result(1, '-2+3', '@cmd'),
      result(2, '\tTab', '\rReturn'),
      result(3, '=HYPERLINK("http://x","y")', 'fine'),
    ]);
    expect(csv.split('\r\n').slice(1, 4)).toEqual([`0,'=1+1,'+SUM(A1:A9),,[]`, `1,'-2+3,'@cmd,,[]`, `2,'\tTab,"'\rReturn",,[]`]);
    expect(csv).toContain(`3,"'=HYPERLINK(""http://x"",""y"")",fine,,[]`);
  });

  it('leaves every other field as it is, quoted when RFC 4180 says so', () => {
    expect(toCsv([result(0, 'What is 1-1?', 'a, b')])).toBe('index,text,content,error_code,sources\r\n0,What is 1-1?,"a, b",,[]\r\n');
  });
});

describe('toJsonLines', () => {
  it('keeps the values unchanged', () => {
    expect(toJsonLines([result(0, '=1+1', '@cmd')])).toBe(`${JSON.stringify(result(0, '=1+1', '@cmd'))}\n`);
  });
});
