-- wrk script for bench/run.sh.
--   JMB_TOKENS=FILE   each request is GET /j/<a token drawn at random from FILE>
--   JMB_RESULT=FILE   one line appended at the end: rps, latency (ms) and error counts
-- Headers (If-None-Match) are given with wrk -H.

local tokens_file = os.getenv("JMB_TOKENS")
local tokens = {}
local threads = {}

if tokens_file then
	for line in io.lines(tokens_file) do
		if #line > 0 then
			tokens[#tokens + 1] = line
		end
	end
	if #tokens == 0 then
		error("no tokens in " .. tokens_file)
	end
end

function setup(thread)
	thread:set("thread_id", #threads + 1)
	threads[#threads + 1] = thread
end

function init(args)
	math.randomseed(os.time() * 1000 + (thread_id or 0))
	if #tokens > 0 then
		request = function()
			return wrk.format("GET", "/j/" .. tokens[math.random(#tokens)])
		end
	end
end

function done(summary, latency, requests)
	local out = os.getenv("JMB_RESULT")
	local e = summary.errors
	local line = string.format(
		"requests=%d seconds=%.3f rps=%.1f lat_mean_ms=%.3f lat_p50_ms=%.3f lat_p90_ms=%.3f " ..
		"lat_p99_ms=%.3f lat_max_ms=%.3f non2xx3xx=%d socket_errors=%d bytes=%d\n",
		summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
		latency.mean / 1e3, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
		latency:percentile(99) / 1e3, latency.max / 1e3, e.status,
		e.connect + e.read + e.write + e.timeout, summary.bytes)
	if out and out ~= "" then
		local f = assert(io.open(out, "a"))
		f:write(line)
		f:close()
	end
	io.write(line)
end
