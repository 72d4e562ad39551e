-- wrk script for B1: each request signs in a different cadre (tokens rotate across threads).
-- bench/out/tokens.txt holds "token latitude longitude" lines written by bench/run.py.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS") or "bench/out/tokens.txt") do
  local t, lat, lon = line:match("(%S+) (%S+) (%S+)")
  tokens[#tokens + 1] = {t, lat, lon}
end
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  math.randomseed(os.time() + id * 7919)
  id = tonumber(id)
  index = id
end

local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  local entry = tokens[(index % #tokens) + 1]
  index = index + threads
  local body = string.format('{"client_id":"%s","latitude":"%s","longitude":"%s"}', uuid4(), entry[2], entry[3])
  return wrk.format("POST", "/api/v1/signins/", {
    ["Authorization"] = "Token " .. entry[1],
    ["Content-Type"] = "application/json",
    ["Host"] = "127.0.0.1",
  }, body)
end
