-- wrk: POST /api/v1/records with BATCH records of fresh ids each request
-- (a thread's id, a counter), so that every record is new and durable.
-- BATCH and TOKEN come from the environment.
local batch = tonumber(os.getenv("BATCH") or "100")
local token = os.getenv("TOKEN")
local counter = 0
local tid = 0
setup = function(thread)
  tid = tid + 1
  thread:set("tid", tid)
end
request = function()
  local parts = {}
  for i = 1, batch do
    counter = counter + 1
    parts[i] = string.format(
      '{"kind":"flow","id":"w%d-%d","checkpoint":"a","direction":"in","start":"2023-01-02","persons":1}',
      tid, counter)
  end
  return wrk.format("POST", "/api/v1/records",
    {["Content-Type"] = "application/json",
     ["Authorization"] = "Bearer " .. token},
    '{"records":[' .. table.concat(parts, ",") .. ']}')
end
