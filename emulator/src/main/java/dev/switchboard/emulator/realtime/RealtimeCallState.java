package dev.switchboard.emulator.realtime;

/**
 * A WebRTC call as a test sees it: whether the client's events channel opened, how much of its microphone audio
 * arrived, how many sideband WebSockets are attached, and whether the call has ended.
 */
public record RealtimeCallState(String id, boolean channelOpen, long audioMillisReceived, int sidebands, boolean ended) {}
