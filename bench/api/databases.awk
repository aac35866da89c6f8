# Writes a curl config (one POST /api/databases per entry, for curl --parallel -K) describing `count`
# varied databases: about 45% postgresql, 35% mysql, 20% sqlite; half of the networked ones on one of the
# engines given (with its credentials), the others on their own host with their own account. Names are
# "team-app-env-NNNNN" from small word lists, so a search for a team word hits about 1 row in 12.
# The seed is fixed: one awk gives the same rows every run.
# Variables: base (http://127.0.0.1:PORT), count, pg_engines, mysql_engines (space-separated ids).
BEGIN {
  srand(20261123)
  nt = split("billing payments search identity inventory shipping analytics marketing support catalog pricing fraud", team, " ")
  na = split("orders ledger users sessions events reports invoices carts stock tickets metrics audit profiles queue", app, " ")
  ne = split("prod staging dev qa", env, " ")
  nr = split("eu-west eu-central us-east us-west ap-south", region, " ")
  npg = split(pg_engines, pg, " ")
  nmy = split(mysql_engines, my, " ")
  for (n = 0; n < count; n++) {
    t = team[1 + int(rand() * nt)]; a = app[1 + int(rand() * na)]; e = env[1 + int(rand() * ne)]
    name = sprintf("%s-%s-%s-%05d", t, a, e, n)
    tags = "{\"team\":\"" t "\",\"env\":\"" e "\"}"
    kind = int(rand() * 100)
    if (kind < 20) {
      body = "{\"name\":\"" name "\",\"database_type\":\"sqlite\",\"database_name\":\"/var/lib/" t "/" a "-" n ".db\",\"tags\":" tags "}"
    } else {
      type = kind < 65 ? "postgresql" : "mysql"
      db = a "_" e "_" n
      if (rand() < 0.5) {
        engine = type == "postgresql" ? pg[1 + int(rand() * npg)] : my[1 + int(rand() * nmy)]
        body = "{\"name\":\"" name "\",\"database_type\":\"" type "\",\"engine_id\":\"" engine "\",\"use_engine_credentials\":true," \
               "\"database_name\":\"" db "\",\"policy_id\":\"production-standard\",\"tags\":" tags "}"
      } else {
        host = sprintf("%s-%02d.%s.example.internal", type == "postgresql" ? "pg" : "my", 1 + int(rand() * 40), region[1 + int(rand() * nr)])
        body = "{\"name\":\"" name "\",\"database_type\":\"" type "\",\"host\":\"" host "\",\"port\":" (type == "postgresql" ? 5432 : 3306) \
               ",\"database_name\":\"" db "\",\"username\":\"" a "_backup\",\"password\":\"s3cret-" n "\"," \
               "\"compression\":" (rand() < 0.75 ? "true" : "false") ",\"tags\":" tags "}"
      }
    }
    gsub(/\\/, "\\\\", body); gsub(/"/, "\\\"", body)
    if (n > 0) print "next"
    print "url = \"" base "/api/databases\""
    print "header = \"Content-Type: application/json\""
    print "data = \"" body "\""
    print "output = \"/dev/null\""
    print "write-out = \"%{http_code}\\n\""
  }
}
