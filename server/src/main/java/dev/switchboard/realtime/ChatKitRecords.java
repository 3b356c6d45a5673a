package dev.switchboard.realtime;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * ChatKit sessions as the chat capability records them, in the sessions table this capability keeps
 * ({@code chatkit_sessions}, where voice sessions live too): chat calls this, never the table.
 */
public final class ChatKitRecords {
    private final VoiceSessionRepository sessions;

    public ChatKitRecords(Jdbi jdbi) {
        this.sessions = new VoiceSessionRepository(jdbi);
    }

    /** A ChatKit session made upstream for {@code owner}, active until {@code expiresAt} (epoch seconds). */
    public void created(String id, String owner, String upstreamId, long expiresAt) {
        sessions.insertChatKit(id, owner, upstreamId, expiresAt);
    }

    /** The upstream id of one of {@code owner}'s ChatKit sessions; empty for another owner's or an unknown id. */
    public Optional<String> upstreamId(String owner, String id) {
        return sessions.chatKitUpstreamId(owner, id);
    }

    public void cancelled(String id) {
        sessions.chatKitCancelled(id);
    }
}
