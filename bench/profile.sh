#!/usr/bin/env bash
# Where Switchboard's CPU goes per relayed event, by layer: runs the relay workload (1,000 concurrent streams of
# 50 events 20 ms apart) against Switchboard while JFR samples it, then prints a table of CPU per event by layer
# (upstream HTTP client, SSE parsing, stream log, client write, servlet/Javalin, GC, ...). See bench/run.sh.
#
#   bench/profile.sh                  (BENCH_SCALE=0.5 for a shorter run)
exec "$(dirname "$0")/run.sh" profile
