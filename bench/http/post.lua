-- wrk: POST /api/v1/records with BATCH records of fresh ids each request
-- (PREFIX, a thread's id, a counter), so that every record is new and
-- durable: each run and each of several wrk at once has its own PREFIX.
-- BATCH, TOKEN and PREFIX come from the environment.
local batch = tonumber(os.getenv("BATCH") or "100")
local token = os.getenv("TOKEN")
local prefix = os.getenv("PREFIX") or ""
local counter = 0
local threads = 0
-- Each thread's number reaches its own Lua state as the global "tid"
-- (a local of that name would hide it: every thread would send "w0-"
-- ids, and half the records would be duplicates).
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  local parts = {}
  for i = 1, batch do
    counter = counter + 1
    parts[i] = string.format(
      '{"kind":"flow","id":"%sw%d-%d","checkpoint":"a","direction":"in","start":"2023-01-02","persons":1}',
      prefix, tid, counter)
  end
  return wrk.format("POST", "/api/v1/records",
    {["Content-Type"] = "application/json",
     ["Authorization"] = "Bearer " .. token},
    '{"records":[' .. table.concat(parts, ",") .. ']}')
end
