package dev.switchboard.ownership;

import dev.switchboard.web.GatewayException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which owner created each OpenAI object that passed through the gateway, kept in PostgreSQL so that every
 * instance agrees. An object the gateway never saw created (made directly at OpenAI, or before this registry
 * existed) has no owner and is nobody's: using its id answers as an unknown id does.
 *
 * <p>An object's owner never changes, so owners once read are remembered (a bounded cache, most recently used
 * kept): the hot path reads the database only for an id this instance has not seen yet.
 */
public final class OwnedObjects implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedObjects.class);
    private static final int REMEMBERED = 100_000;
    /** Records the database refused, tried again later; past this many, the oldest are only remembered here. */
    private static final int MAX_UNWRITTEN = 100_000;

    /** Ids looked up in one query. */
    private static final int LOOKUP_BATCH = 1_000;

    private record Unwritten(OwnedKind kind, String id, String owner) {}

    private final OwnedObjectRepository repository;
    private final Map<String, String> owners = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    });
    private final Queue<Unwritten> unwritten = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unwrittenCount = new AtomicInteger();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "owned-objects-retry");
        t.setDaemon(true);
        return t;
    });

    public OwnedObjects(Jdbi jdbi) {
        this.repository = new OwnedObjectRepository(jdbi);
        retries.scheduleWithFixedDelay(this::writeUnwritten, 5, 5, TimeUnit.SECONDS);
    }

    /**
     * Records that {@code owner} created the object, before its id reaches the client (so the client's next call,
     * on any instance, finds it). Never throws: while the database is down the record is kept here, where this
     * instance sees it at once, and written when the database is back.
     */
    public void record(OwnedKind kind, String id, String owner) {
        String key = key(kind, id);
        // Already known here (a stream's every chunk names its completion): owners never change, nothing to write.
        if (owners.get(key) != null) return;
        try {
            // An id upstream made is new; should it not be, the owner stored first keeps it.
            if (repository.insert(kind, id, owner)) owners.put(key, owner);
            else repository.owner(kind, id).ifPresent(first -> owners.put(key, first));
        } catch (JdbiException e) {
            owners.put(key, owner);
            if (unwrittenCount.incrementAndGet() > MAX_UNWRITTEN) {
                unwrittenCount.decrementAndGet();
                LOG.warn("Owner of {} {} not stored (database unreachable, {} records waiting); only this instance "
                        + "knows it", kind.name(), id, MAX_UNWRITTEN);
                return;
            }
            unwritten.add(new Unwritten(kind, id, owner));
            LOG.warn("Owner of {} {} not stored yet (database unreachable: {}); trying again every 5 s", kind.name(),
                    id, e.getMessage());
        }
    }

    /** True when {@code owner} created the object through the gateway. */
    public boolean owns(String owner, OwnedKind kind, String id) {
        return ownerOf(kind, id).map(owner::equals).orElse(false);
    }

    /** Who created the object through the gateway; empty for an object it never saw created. */
    public Optional<String> ownerOf(OwnedKind kind, String id) {
        String key = key(kind, id);
        String remembered = owners.get(key);
        if (remembered != null) return Optional.of(remembered);
        Optional<String> stored;
        try {
            stored = repository.owner(kind, id);
        } catch (JdbiException e) {
            throw new GatewayException(503, "server_error", "database_unavailable", null,
                    "The gateway cannot check who owns " + kind.label().toLowerCase() + " '" + id + "' because its "
                            + "database is unreachable. Retry shortly; operators: check DATABASE_URL and "
                            + "'./switchboard doctor'.");
        }
        // Only owners are remembered: an id unknown now may be recorded by another instance a moment later.
        stored.ifPresent(owner -> owners.put(key, owner));
        return stored;
    }

    /**
     * Which of {@code ids} (of one kind) {@code owner} created through the gateway: those remembered here, and the
     * rest in one query (a list page's worth at a time).
     */
    public Set<String> ownedAmong(String owner, OwnedKind kind, Collection<String> ids) {
        Set<String> owned = new HashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            String remembered = owners.get(key(kind, id));
            if (remembered == null) unknown.add(id);
            else if (remembered.equals(owner)) owned.add(id);
        }
        if (unknown.isEmpty()) return owned;
        try {
            for (int from = 0; from < unknown.size(); from += LOOKUP_BATCH) {
                for (String id : repository.ownedAmong(kind, owner, unknown.subList(from, Math.min(unknown.size(), from + LOOKUP_BATCH)))) {
                    owners.put(key(kind, id), owner);
                    owned.add(id);
                }
            }
        } catch (JdbiException e) {
            throw new GatewayException(503, "server_error", "database_unavailable", null,
                    "The gateway cannot tell which " + kind.label().toLowerCase() + " objects are yours because its "
                            + "database is unreachable. Retry shortly; operators: check DATABASE_URL and "
                            + "'./switchboard doctor'.");
        }
        return owned;
    }

    private void writeUnwritten() {
        for (Unwritten next; (next = unwritten.peek()) != null; ) {
            try {
                repository.insert(next.kind(), next.id(), next.owner());
            } catch (JdbiException stillDown) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Owner of {} {} could not be stored: {}", next.kind().name(), next.id(), e.getMessage());
            }
            unwritten.poll();
            unwrittenCount.decrementAndGet();
        }
    }

    private static String key(OwnedKind kind, String id) {
        return kind.name() + ':' + id;
    }

    @Override
    public void close() {
        retries.shutdownNow();
        writeUnwritten();
    }
}
