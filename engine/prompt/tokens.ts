/**
 * Estimates how many tokens a text costs, without a tokenizer. BPE
 * vocabularies keep short words whole, split long identifiers, numbers into
 * groups of about three digits, and most punctuation into its own token;
 * counting those pieces tracks real tokenizers on DDL and SQL far better than
 * characters / 4, and errs on the high side so budgets hold.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const m of text.matchAll(/[A-Za-z]+|\d+|[^\sA-Za-z\d]|\s{2,}/g)) {
    const piece = m[0];
    const c = piece.charCodeAt(0);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) tokens += Math.ceil(piece.length / 6);
    else if (c >= 48 && c <= 57) tokens += Math.ceil(piece.length / 3);
    else if (c > 127) tokens += 2;
    else tokens += 1;
  }
  return tokens;
}
