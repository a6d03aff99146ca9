-- wrk script of scripts/bench.sh: at the end, one line the script reads —
--   BENCH <requests/s> <p50 ms> <p99 ms> <max ms> <requests> <socket errors> <HTTP errors>
-- (HTTP errors: answers with a status of 400 or more, as wrk counts them). The requests are
-- wrk's own (method, path and -H headers from the command line).

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("BENCH %.1f %.2f %.2f %.2f %d %d %d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.requests,
    e.connect + e.read + e.write + e.timeout,
    e.status))
end
