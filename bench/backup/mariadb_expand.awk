# Expands the macros of mariadb_real.sql (see its head) and prints the SQL to run.
# Usage: awk -v vocab=FILE -v customers=N -v orders=N -v events=N -v reviews=N -f mariadb_expand.awk mariadb_real.sql
# FILE is vocab.awk's output ("id<TAB>word"); the words are [a-z], so they need no quoting.
function word(top) { return "ELT(FLOOR(POW(" top ", RAND())), " list ")" }
function text(n, max, top,   s, i) {
  s = "CONCAT_WS(' '"
  for (i = 1; i <= max; i++) s = s ", IF(" i " <= " n ", " word(top) ", NULL)"
  return s ")"
}
BEGIN {
  while ((getline line < vocab) > 0) { split(line, f, "\t"); list = list (list == "" ? "" : ",") "'" f[2] "'" }
  if (list == "") { print "mariadb_expand.awk: no words in " vocab > "/dev/stderr"; exit 1 }
}
{
  gsub(/@CUSTOMERS@/, customers); gsub(/@ORDERS@/, orders); gsub(/@EVENTS@/, events); gsub(/@REVIEWS@/, reviews)
  out = ""
  while (match($0, /(WORD\([0-9]+\)|TEXT\([a-z_0-9]+, *[0-9]+, *[0-9]+\))/)) {
    m = substr($0, RSTART, RLENGTH); out = out substr($0, 1, RSTART - 1)
    split(substr(m, 6, length(m) - 6), a, / *, */)
    out = out (substr(m, 1, 4) == "WORD" ? word(a[1]) : text(a[1], a[2], a[3]))
    $0 = substr($0, RSTART + RLENGTH)
  }
  print out $0
}
