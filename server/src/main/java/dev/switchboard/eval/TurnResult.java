package dev.switchboard.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * What the agent did in one turn, as its stream showed it.
 *
 * @param toolCalls    each {@code {name, arguments, output | error}}, in order
 * @param firstTokenMs from the request to the first text, -1 when there was none
 * @param error        the stream's {@code error} event, or why the turn could not run; null when it completed
 * @param retryable    the error was the upstream's 429 or 5xx (or the gateway's), worth another attempt
 */
record TurnResult(String text, ArrayNode toolCalls, long totalTokens, long firstTokenMs, long durationMs, String error,
                  boolean retryable) {}
