package dev.switchboard.modules;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.auth.StreamTokens;
import dev.switchboard.config.Settings;
import dev.switchboard.debug.RequestLogRepository;
import dev.switchboard.debug.RequestRecorder;
import dev.switchboard.limits.Limits;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.ownership.OwnedObjects;
import dev.switchboard.pipeline.Admission;
import dev.switchboard.store.Database;
import dev.switchboard.store.Instances;
import dev.switchboard.stream.EventLog;
import dev.switchboard.stream.Heartbeats;
import dev.switchboard.stream.LiveStreams;
import dev.switchboard.stream.LogFollower;
import dev.switchboard.stream.StreamRelay;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.RequestBodies;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * What every capability is built from: the gateway's foundations, wired once by {@code Gateway}. A capability takes
 * what it needs from here, so the gateway does not know any capability's constructor; one capability that uses
 * another (agents use the documents' OCR, Realtime and MCP the agents' tools) finds it with {@link #capability},
 * built before it in the gateway's list.
 *
 * @param listener every exchange's listeners: metrics, the requests in flight, token budgets, the request log
 */
public record Foundations(Settings settings, Database database, Instances instances, UpstreamClient upstream,
                          EventLog eventLog, Heartbeats heartbeats, LiveStreams liveStreams, StreamRelay relay,
                          LogFollower follower, RequestLogRepository requestLog, RequestRecorder recorder, Metrics metrics,
                          ExchangeListener listener, Limits limits, ApiKeys keys, StreamTokens streamTokens, AuditLog audit,
                          OwnedObjects owned, RequestBodies bodies, Admission admission, Map<Class<?>, Capability> built) {

    public Foundations {
        built = built == null ? new ConcurrentHashMap<>() : built;
    }

    public Jdbi jdbi() {
        return database.jdbi();
    }

    /** A capability built before the asking one; fails when the gateway's list has them the other way round. */
    public <T extends Capability> T capability(Class<T> type) {
        Capability found = built.get(type);
        if (found == null) throw new IllegalStateException(type.getSimpleName() + " must come earlier in the gateway's list");
        return type.cast(found);
    }

    /** Records a built capability for the ones after it. */
    public void built(Capability capability) {
        built.put(capability.getClass(), capability);
    }
}
