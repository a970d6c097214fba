-- wrk script of the counter_credit and api_purchase benches (tests/bench/counter_credit.py
-- and tests/bench/api_purchase.py drive it).
--
-- One wrk thread per till, one connection per thread (wrk -tN -cN), so per-thread state is
-- per-connection state. Each till POSTs for its own list of members (so tills never wait for
-- one another's wallet row), with its own session cookie and CSRF token (or API key), and
-- a fresh uuid4 nonce per request: the nonce is the idempotency key, a repeated one would
-- replay the first answer instead of crediting again.
--
-- Two shapes of request. The till's form (BENCH_API_PATH unset): POST to the member's path,
-- form-encoded nonce and amount, as htmx sends it. The POS API (BENCH_API_PATH set): POST
-- to that path, JSON {"member", "amount", "receipt_id"} with the nonce as receipt id and as
-- Idempotency-Key, as a register sends it.
--
-- Exact accounting: wrk drops the requests in flight when its -d ends, but the server
-- completes them, so the database would hold more credits than wrk saw answers. Instead each
-- till, at the first answer after BENCH_SECONDS, leaves a marker file and from then on sends
-- only a harmless GET (a 404, not counted); when all markers are there the bench interrupts
-- wrk (SIGINT ends its -d, which is only a safety net). A till must not simply stop
-- (thread:stop()): wrk has already opened its next connection, which would sit idle in
-- gunicorn's queue and hold a sync worker until wrk exits, stalling the tills still running.
-- Each till also keeps the nonces it sent and those answered 2xx; the bench compares them
-- one by one with the credits in the database.
--
-- No file stays open here: wrk's event loops only take descriptors below 10 + 3 * connections
-- (34 for 8 connections), and a socket above that fails as a "connect error" and leaves its
-- till dead. So the nonces come from LuaJIT's PRNG, seeded per thread from /dev/urandom,
-- rather than from a /dev/urandom kept open.
--
-- Input (environment): BENCH_CONFIG, a file with one line per till:
--   header TAB csrf-token TAB amount TAB target1 SPACE target2 ...
-- where header ("Cookie: ..." or "Authorization: Api-Key ...") says who the till is, "-" for
-- none, and the targets are paths (the form) or member numbers (the API).
-- BENCH_SECONDS and BENCH_MARKERS (a directory for the markers). Output: one line
-- "BENCHJSON {...}" from done() with, per thread, the answers by status class, the monotonic
-- start and end and every latency (microseconds), the nonces sent and those answered 2xx.

local ffi = require("ffi")
ffi.cdef([[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clk_id, struct bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local ts = ffi.new("struct bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text, "([^" .. sep .. "]+)") do
    parts[#parts + 1] = part
  end
  return parts
end

-- Setup phase (its own Lua state): hand each thread its till's line of the config file.
local threads = {}
local tills = {}
for line in io.lines(os.getenv("BENCH_CONFIG")) do
  tills[#tills + 1] = line
end

function setup(thread)
  local index = #threads + 1
  threads[index] = thread
  local fields = split(tills[index], "\t")
  thread:set("id", index)
  local name, value = string.match(fields[1], "^([%w-]+): (.+)$")
  thread:set("header_name", name or "")
  thread:set("header_value", value or "")
  thread:set("csrf", fields[2] ~= "-" and fields[2] or "")
  thread:set("amount", fields[3])
  thread:set("targets", split(fields[4], " "))
end

-- Running phase (one Lua state per thread).
-- Globals, not locals: done() reads them through thread:get().
local n, sent_at, deadline, stopping, nonce = 0, 0, 0, false, nil
local api_path = os.getenv("BENCH_API_PATH")
ok, other, first_other, started, ended = 0, 0, 0, 0, 0
latencies, sent, answered = {}, {}, {}

function init(args)
  local urandom = io.open("/dev/urandom", "rb")
  local seed = 0
  for _, byte in ipairs({ urandom:read(6):byte(1, 6) }) do
    seed = seed * 256 + byte -- 48 bits: exact in a double
  end
  urandom:close()
  math.randomseed(seed)
  started = now_us()
  deadline = started + tonumber(os.getenv("BENCH_SECONDS")) * 1000000
end

-- A uuid4 in hex, as uuid.uuid4().hex makes it: 16 random bytes, version and variant set.
local function uuid4_hex()
  local b = {}
  for i = 1, 16 do
    b[i] = math.random(0, 255)
  end
  b[7] = bit.bor(bit.band(b[7], 0x0f), 0x40)
  b[9] = bit.bor(bit.band(b[9], 0x3f), 0x80)
  return string.format(string.rep("%02x", 16), unpack(b))
end

function request()
  if stopping then
    return wrk.format("GET", "/__bench_stopped__/") -- a 404: no session, no database write
  end
  n = n + 1
  local target = targets[(n - 1) % #targets + 1]
  nonce = uuid4_hex()
  sent[#sent + 1] = nonce
  local path, body, headers
  if api_path then
    path = api_path
    body = string.format('{"member": "%s", "amount": "%s", "receipt_id": "%s"}', target, amount, nonce)
    headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = nonce }
  else
    path = target
    body = "nonce=" .. nonce .. "&amount=" .. amount
    headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["HX-Request"] = "true" }
  end
  if csrf ~= "" then
    -- What the till's htmx form sends: the token is a hidden field of the panel's form.
    body = body .. "&csrfmiddlewaretoken=" .. csrf
  end
  if header_name ~= "" then
    headers[header_name] = header_value
  end
  sent_at = now_us()
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if stopping then
    return -- the answer to a filler GET
  end
  ended = now_us()
  latencies[#latencies + 1] = ended - sent_at
  if status >= 200 and status < 300 then
    ok = ok + 1
    answered[#answered + 1] = nonce
  else
    other = other + 1
    if first_other == 0 then
      first_other = status -- logged by the bench, to say what went wrong
    end
  end
  if ended >= deadline then
    stopping = true -- after the answer: no credit is left in flight
    io.open(os.getenv("BENCH_MARKERS") .. "/stopped-" .. id, "w"):close()
  end
end

-- Done phase (the setup state again): one JSON line for Python.
function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    local lat = thread:get("latencies") or {}
    parts[#parts + 1] = string.format(
      '{"ok": %d, "other": %d, "first_other": %d, "started_us": %.0f, "ended_us": %.0f,'
        .. ' "latency_us": [%s], "sent": ["%s"], "answered": ["%s"]}',
      thread:get("ok"),
      thread:get("other"),
      thread:get("first_other"),
      thread:get("started"),
      thread:get("ended"),
      table.concat(lat, ","),
      table.concat(thread:get("sent"), '", "'),
      table.concat(thread:get("answered"), '", "')
    )
  end
  io.write(string.format(
    'BENCHJSON {"threads": [%s], "wrk_requests": %d, "wrk_errors": %d}\n',
    table.concat(parts, ", "),
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  ))
end
