-- wrk script of bench/common.py's run_wrk: wrk's --latency distribution has 50, 75, 90 and
-- 99 %; this adds a 95 % line in the same format ("     95%  1234.00us"), which parse_wrk
-- reads. It defines no request() or response(), so wrk keeps its fast static requests.

function done(_summary, latency, _requests)
  io.write(string.format("     95%%  %.2fus\n", latency:percentile(95)))
end
