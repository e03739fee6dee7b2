/** The last `max` code points of `text`: a long utterance keeps its end, where the question is. */
export function keepEnd(text: string, max: number): string {
  // Fewer UTF-16 units than `max` means fewer code points too: no need to split it.
  if (text.length <= max) return text;
  return Array.from(text).slice(-max).join('');
}

/** Chinese runs on without a space; a space where either side is not CJK. */
export function joinUtterances(first: string, second: string): string {
  return /[\u3400-\u9fff，。？！]$/.test(first) && /^[\u3400-\u9fff]/.test(second) ? first + second : `${first} ${second}`;
}
