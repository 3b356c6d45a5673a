package dev.switchboard.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Read access to agent sessions for other capabilities (Realtime builds voice sessions from them). */
public final class AgentDirectory {
    private final AgentRepository repository;

    public AgentDirectory(Jdbi jdbi) {
        this.repository = new AgentRepository(jdbi);
    }

    /** The session as the API shows it, when it exists and belongs to {@code owner}. */
    public Optional<ObjectNode> find(String owner, String id) {
        return repository.findSession(owner, id);
    }
}
