package dev.switchboard.stream;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The streams being relayed on this instance, for the admin API and the active-streams gauge. */
public final class LiveStreams {
    private final Map<String, LiveStream> byId = new ConcurrentHashMap<>();

    void add(LiveStream stream) {
        byId.put(stream.meta().id(), stream);
    }

    void remove(LiveStream stream) {
        byId.remove(stream.meta().id(), stream);
    }

    public List<LiveStream> list() {
        return byId.values().stream().sorted(Comparator.comparing(s -> s.meta().createdAt())).toList();
    }

    public Optional<LiveStream> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public int size() {
        return byId.size();
    }
}
