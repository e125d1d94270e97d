-- wrk driver for bench/run: replays a prepared request file and prints one JSON line at the end.
--
--   wrk -t2 -c32 -d30s -s bench/wrk/requests.lua http://127.0.0.1:PORT -- FILE [RATE] [MODE]
--
-- FILE: one request per line, fields separated by TAB: METHOD, PATH, HEADERS, BODY.
--       HEADERS is "Name: value" pairs separated by the byte 0x1f (may be empty); BODY may be empty.
-- RATE: total offered requests per second over all threads (0 or absent = as fast as possible).
-- MODE: "cycle" (default) walks the list from a per-thread offset and wraps around;
--       "once" gives each thread a disjoint share and stops the thread when its share is used up
--       (for requests that must never be repeated, e.g. a transfer consumes its matter).

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- main state: remember the threads so done() can collect their status counts
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- thread state
local reqs = {}
local n = 0
local idx = 1
local step = 1
local once = false
local interval = 0 -- ms between sends within this thread; 0 = unpaced
local next_slot = nil
codes = {}
exhausted = 0
t_first = 0 -- ms, monotonic: when this thread was set up
t_last = 0 -- ms, monotonic: the last response this thread saw

local function split(s, sep)
  local out = {}
  local start = 1
  while true do
    local i = string.find(s, sep, start, true)
    if not i then
      table.insert(out, string.sub(s, start))
      return out
    end
    table.insert(out, string.sub(s, start, i - 1))
    start = i + #sep
  end
end

function init(args)
  local file = args[1]
  local rate = tonumber(args[2] or "0") or 0
  local mode = args[3] or "cycle"
  local nthreads = tonumber(args[4] or "0") or 0
  once = (mode == "once")
  if nthreads <= 0 then nthreads = 1 end
  local all = {}
  for line in io.lines(file) do
    if #line > 0 then
      local f = split(line, "\t")
      local headers = {}
      if f[3] and #f[3] > 0 then
        for _, h in ipairs(split(f[3], "\31")) do
          local c = string.find(h, ":", 1, true)
          if c then
            headers[string.sub(h, 1, c - 1)] = string.gsub(string.sub(h, c + 1), "^%s+", "")
          end
        end
      end
      local body = f[4]
      if body == "" then body = nil end
      table.insert(all, wrk.format(f[1], f[2], headers, body))
    end
  end
  if #all == 0 then
    error("no requests in " .. file)
  end
  if once then
    -- disjoint share per thread: tid, tid + T, tid + 2T, ...
    for i = tid + 1, #all, nthreads do table.insert(reqs, all[i]) end
    idx = 1
  else
    reqs = all
    idx = (math.floor(#all * tid / nthreads) % #all) + 1
  end
  n = #reqs
  t_first = now_ms()
  if rate > 0 then
    interval = 1000.0 * nthreads / rate
  end
end

function delay()
  if interval <= 0 then return 0 end
  local t = now_ms()
  if next_slot == nil or next_slot < t - interval then
    next_slot = t -- fell behind: no catch-up burst
  end
  local slot = next_slot
  next_slot = next_slot + interval
  local wait = slot - t
  if wait < 0 then wait = 0 end
  return math.floor(wait + 0.5)
end

function request()
  if n == 0 or (once and idx > n) then
    exhausted = 1
    wrk.thread:stop()
    -- something harmless until the thread stops
    return wrk.format("GET", "/__bench_exhausted")
  end
  local r = reqs[idx]
  idx = idx + 1
  if not once and idx > n then idx = 1 end
  return r
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  t_last = now_ms()
end

function done(summary, latency, requests)
  local status = {}
  local ex = 0
  local first, last = nil, 0
  for _, t in ipairs(threads) do
    local f, l = t:get("t_first") or 0, t:get("t_last") or 0
    if first == nil or f < first then first = f end
    if l > last then last = l end
    local c = t:get("codes") or {}
    for k, v in pairs(c) do
      status[k] = (status[k] or 0) + v
    end
    ex = ex + (t:get("exhausted") or 0)
  end
  local parts = {}
  for k, v in pairs(status) do
    table.insert(parts, string.format('"%d": %d', k, v))
  end
  local e = summary.errors
  local function p(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"status": {%s}, "exhausted_threads": %d, "active_s": %.3f, ' ..
    '"latency_ms": {"p50": %.3f, "p90": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, "mean": %.3f}}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ", "), ex, math.max(last - (first or last), 0) / 1000.0,
    p(50), p(90), p(95), p(99), latency.max / 1000.0, latency.mean / 1000.0))
end
