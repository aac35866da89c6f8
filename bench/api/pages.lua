-- wrk script for bench/api/run.sh's "pages" line: each thread cycles through its own 200 pages of
-- GET /api/databases?limit=25 (thread 1 offsets 0..4975, thread 2 offsets 5000..9975). Between two requests for
-- one page come about 400 requests for other pages, more than the 200 pages Custos caches, so none is served from
-- the cache: the line shows what a page costs to read.
local threads = 0

function setup(thread)
  thread:set("first_page", threads * 200)
  threads = threads + 1
end

local i = 0

function request()
  local page = first_page + (i % 200)
  i = i + 1
  return wrk.format("GET", "/api/databases?limit=25&offset=" .. (page * 25))
end
