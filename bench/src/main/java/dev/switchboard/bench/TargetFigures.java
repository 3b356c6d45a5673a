package dev.switchboard.bench;

/**
 * Everything measured for one target in one run, a workload at a time (a workload not run holds its NONE value).
 *
 * @param openStreams1k  1,000 streams held open: resident memory
 * @param relay100       the reference relay workload at 100 concurrent streams
 * @param relay1k        the same at 1,000
 * @param requests       the non-streamed open-loop rate sweep
 * @param realtime       Realtime WebSocket round trips
 * @param openStreamsMax 10,000 streams (or as many as the open-file limit allows) held open: heap
 */
record TargetFigures(Target target, HoldWorkload.Figures openStreams1k, RelayWorkload.Figures relay100,
                     RelayWorkload.Figures relay1k, RequestSweep.Figures requests, RealtimeWorkload.Figures realtime,
                     HoldWorkload.Figures openStreamsMax) {}
