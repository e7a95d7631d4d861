import { closest } from '../input/closest-word.js';

/** `did you mean 'x'? ` prefix for a fix text, or '' when nothing is close (short words: 1 edit). */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates, 1);
  return c === undefined ? '' : `did you mean '${c}'? `;
}
