-- wrk script of scripts/bench.sh: a steady stream of logins (POST /api/connexion, the form a
-- browser without WASM sends), cycling through accounts that share one password. Settings, from
-- the environment:
--   BENCH_RATE       logins per second for the whole run (default 20), paced on the clock
--   BENCH_ESPACE     pro or usager
--   BENCH_FORMAT     the identifiant, a string.format pattern given the account number (banc.ecole.%d)
--   BENCH_FROM, BENCH_TO   the account numbers to cycle through
--   BENCH_PASSWORD   their password
-- Run with one thread (-t1) and enough connections to keep the pace while logins are slow
-- (argon2): each connection waits for its turn in delay(). At the end, the same BENCH line as
-- measure.lua, then `LOGINS <successes> <failures> <status:count,… of the failures, or ->` (a
-- success is a 200 with a session cookie) and, for each answer given to failures, `REFUS
-- <count> <its first 90 characters>`.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local rate = tonumber(os.getenv("BENCH_RATE") or "20")
local interval = 1000 / rate
local espace = os.getenv("BENCH_ESPACE") or "pro"
local format = os.getenv("BENCH_FORMAT") or "banc.ecole.%d"
local from = tonumber(os.getenv("BENCH_FROM") or "2")
local to = tonumber(os.getenv("BENCH_TO") or "500")
local password = urlencode(os.getenv("BENCH_PASSWORD") or "")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  -- What a browser sends with a form of the site's own pages (server/src/middleware.rs).
  ["Sec-Fetch-Site"] = "same-origin",
}

local n = from - 1
request = function()
  n = n + 1
  if n > to then n = from end
  local body = "espace=" .. espace .. "&identifiant=" .. urlencode(string.format(format, n)) ..
    "&password=" .. password
  return wrk.format("POST", "/api/connexion", headers, body)
end

-- The pace: one login every `interval` ms. Behind schedule (every connection busy), the next
-- one leaves at once and the schedule restarts from now: no burst to catch up.
local next_at = nil
delay = function()
  local now = now_ms()
  if next_at == nil or next_at < now then next_at = now end
  local wait = next_at - now
  next_at = next_at + interval
  return wait
end

-- Per thread; done() reads them with thread:get (strings: what crosses between Lua states).
ok, refused = 0, 0
statuses, reasons = "", ""
local seen, why = {}, {}
local function summary(counts, sep)
  local parts = {}
  for key, count in pairs(counts) do table.insert(parts, key .. "\t" .. count) end
  return table.concat(parts, sep)
end
response = function(status, headers, body)
  local cookie = headers["set-cookie"] or headers["Set-Cookie"] or ""
  if status == 200 and cookie:find("permis_session=", 1, true) then
    ok = ok + 1
  else
    refused = refused + 1
    seen[status] = (seen[status] or 0) + 1
    statuses = summary(seen, ","):gsub("\t", ":")
    -- The server's message (an AppError in JSON: {"Refused":"…"}), its beginning.
    local text = (body or ""):gsub("[\r\n\t]", " "):sub(1, 90)
    why[text] = (why[text] or 0) + 1
    reasons = summary(why, "\n")
  end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

-- measure.lua, beside this file, writes the BENCH line.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "measure.lua")
local bench_line = done

done = function(summary, latency, requests)
  bench_line(summary, latency, requests)
  local successes, failures, codes = 0, 0, {}
  for _, t in ipairs(threads) do
    successes = successes + t:get("ok")
    failures = failures + t:get("refused")
    if t:get("statuses") ~= "" then table.insert(codes, t:get("statuses")) end
  end
  io.write(string.format("LOGINS %d %d %s\n", successes, failures,
    #codes > 0 and table.concat(codes, ",") or "-"))
  for _, t in ipairs(threads) do
    for line in (t:get("reasons") .. "\n"):gmatch("([^\n]+)\n") do
      local text, count = line:match("^(.*)\t(%d+)$")
      io.write(string.format("REFUS %s %s\n", count, text))
    end
  end
end
