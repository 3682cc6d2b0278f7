-- wrk script: POST /v1/encounters with a unique external id per request and the bench tenant's key.
-- BENCH_BODY_FILE holds the encounter JSON with __EXTERNAL_ID__ where the id goes; BENCH_API_KEY the key.
local counter = 0
local threads = {}
-- thread_number is a global each thread gets from setup (thread:set), so no local may shadow it.

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "r"))
  body_template = file:read("*a")
  file:close()
  run_tag = os.getenv("BENCH_RUN_TAG") or "wrk"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY")
end

function request()
  counter = counter + 1
  local external_id = string.format("W-%s-%d-%d", run_tag, thread_number, counter)
  return wrk.format(nil, "/v1/encounters", nil, body_template:gsub("__EXTERNAL_ID__", external_id))
end

function done(summary, latency, requests)
  local statuses = summary.errors.status
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, statuses,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
