package dev.switchboard.config;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code POST /api/chat} and ChatKit.
 *
 * @param fallbackModel    the Chat Completions model that answers when a Realtime chat cannot
 *                         ({@code SWITCHBOARD_CHAT_FALLBACK_MODEL}; default {@code gpt-4o-mini})
 * @param realtimeSockets  the most Realtime WebSockets chat calls may hold open at once
 *                         ({@code SWITCHBOARD_CHAT_REALTIME_SOCKETS}; default 64)
 * @param realtimeWait     how long a chat call waits for one of those sockets before it takes the REST path
 *                         ({@code SWITCHBOARD_CHAT_REALTIME_WAIT}; default 2 s)
 * @param chatkitWorkflow  the ChatKit workflow sessions are made for ({@code OPENAI_CHATKIT_WORKFLOW_ID}); empty
 *                         turns {@code POST /api/chatkit/session} off
 */
public record ChatSettings(String fallbackModel, int realtimeSockets, Duration realtimeWait, Optional<String> chatkitWorkflow) {}
