/**
 * Text as people mean it: NFKC (so "ﬁ" = "fi", full-width = ASCII), case folded and with runs of
 * white space collapsed. Upper-then-lower approximates Unicode full case folding ("ß" = "ss",
 * final sigma = sigma) without a dependency.
 */
export const foldText = (text: string): string =>
  text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
