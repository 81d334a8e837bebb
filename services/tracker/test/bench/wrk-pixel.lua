-- wrk script of `npm run bench:tracker` (tracker.bench.ts): every request takes the next of many
-- distinct signed pixel paths (one per line of the file named by WRK_PATHS; each thread starts at
-- its own offset), with a real browser's User-Agent, so the tracker verifies, classifies and
-- records hits of many emails as it would in production. done() prints one line,
-- `WRK_RESULT {...}`, with counts and latency percentiles (microseconds) for the bench to parse.

local paths = {}
local file = io.open(os.getenv("WRK_PATHS") or "", "r")
if file then
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
end
if #paths == 0 then paths[1] = "/" end

local user_agent = os.getenv("WRK_USER_AGENT")
  or "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local requests = {}
local next_request = 1

function init(args)
  -- Requests formatted once, up front: the load generator does no work per request but send.
  local headers = { ["User-Agent"] = user_agent, ["Accept"] = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8" }
  for i = 1, #paths do
    requests[i] = wrk.format("GET", paths[i], headers)
  end
  next_request = 1 + ((thread_index or 0) * 7919) % #requests
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then next_request = 1 end
  return r
end

function done(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
end
