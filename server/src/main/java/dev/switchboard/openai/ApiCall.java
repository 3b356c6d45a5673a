package dev.switchboard.openai;

import dev.switchboard.upstream.StreamedBody;

/**
 * What a forward of the whole API carries beyond a hand-written route's: the client's path (with {@code /v1}, as
 * ownership names it), the body when it is streamed rather than held, and whether the request asked for a stream.
 */
record ApiCall(String path, StreamedBody streamed, boolean askedForStream) {}
