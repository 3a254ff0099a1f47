// Every dispute check between two text values folds both; the same values recur across revisions
// and facts, so remember them (bounded: a flood of distinct texts only costs re-folding).
const MAX_REMEMBERED = 20_000;
const folds = new Map<string, string>();

/**
 * Text as people mean it: NFKC (so "ﬁ" = "fi", full-width = ASCII), case folded and with runs of
 * white space collapsed. Upper-then-lower approximates Unicode full case folding ("ß" = "ss",
 * final sigma = sigma) without a dependency.
 */
export function foldText(text: string): string {
  let folded = folds.get(text);
  if (folded === undefined) {
    folded = text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
    if (folds.size >= MAX_REMEMBERED) folds.clear();
    folds.set(text, folded);
  }
  return folded;
}
