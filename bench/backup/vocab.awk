# Prints the benchmark's vocabulary, "id<TAB>word" per line, id from 0: pronounceable pseudo-words made of 1 to 4
# syllables (7.9 letters on average), the same on every machine (its own Park-Miller generator, not awk's rand).
# The generators pick id k with a probability proportional to 1/(k+1) (Zipf); ids are in generation order, not
# sorted by length: with the common words as short as 2 letters, zstd (minimum match 5 bytes at level 3) finds
# no repeats in the text and it compresses less than real prose does (2.2x against 3.2x here).
# Usage: awk -v count=6000 -f bench/backup/vocab.awk
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function pick(list, n) { return list[1 + int(rnd() * n)] }
BEGIN {
  if (!count) count = 6000
  seed = 20261123
  no = split("b c d f g h j k l m n p r s t v w z br cl dr fr gr pl pr st tr sh ch th qu sp", onset, " ")
  nv = split("a e i o u a e i o ai ea io ou ie", vowel, " ")
  nc = split("- - - - - - - - n r s t l m nd st rt ck ng", coda, " ")
  while (n < count) {
    r = rnd(); syl = r < 0.2 ? 1 : r < 0.7 ? 2 : r < 0.95 ? 3 : 4
    w = ""
    for (i = 0; i < syl; i++) {
      c = pick(coda, nc); if (c == "-") c = ""
      w = w (rnd() < 0.2 && i == 0 ? "" : pick(onset, no)) pick(vowel, nv) c
    }
    if (length(w) < 2 || (w in seen)) continue
    seen[w] = 1; words[n++] = w
  }
  for (i = 0; i < n; i++) printf "%d\t%s\n", i, words[i]
}
