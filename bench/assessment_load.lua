-- wrk script of bench/assessment.py: POST the JSON body in the file BENCH_BODY_FILE with
-- the bearer token BENCH_TOKEN, and count the answers that are not 201 Created. The last
-- line wrk prints is "not 201: N", summed over wrk's threads.

local function required(name)
  return assert(os.getenv(name), name .. " is not set")
end

local file = assert(io.open(required("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. required("BENCH_TOKEN")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(_args)
  not_created = 0
end

function response(status, _headers, _body)
  if status ~= 201 then
    not_created = not_created + 1
  end
end

function done(_summary, _latency, _requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("not_created")
  end
  io.write(string.format("not 201: %d\n", total))
end
