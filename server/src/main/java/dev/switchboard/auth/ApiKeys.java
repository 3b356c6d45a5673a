package dev.switchboard.auth;

import dev.switchboard.web.GatewayException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import dev.switchboard.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, lists, revokes and verifies gateway keys.
 *
 * <p>A key verified in the database is remembered for {@link #CACHE_TTL}, but only while a
 * {@link RevocationListener} is connected: every revocation, from any process, clears the memory of every
 * instance through PostgreSQL {@code NOTIFY}, so a revocation still takes effect on the next request. Without the
 * listener (the commands, or while it reconnects) every verification reads the database. While the database cannot
 * be reached at all, keys verified within the last {@link #OUTAGE_GRACE} are accepted, so an outage does not stop
 * traffic.
 */
public final class ApiKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    static final Duration CACHE_TTL = Duration.ofSeconds(60);
    static final Duration OUTAGE_GRACE = Duration.ofMinutes(15);

    private final ApiKeyRepository repository;
    /** Key hash (hex) to the caller it verified as, and when. */
    private final Map<String, Verified> recentlyVerified = new ConcurrentHashMap<>();
    private final RevocationListener listener;

    private record Verified(Caller caller, long atNanos) {}

    /** Keys checked in the database on every request: for the commands, which run briefly. */
    public ApiKeys(Jdbi jdbi) {
        this.repository = new ApiKeyRepository(jdbi);
        this.listener = null;
    }

    /** Keys remembered between requests, forgotten on any revocation anywhere: for the gateway. */
    public ApiKeys(Database database) {
        this.repository = new ApiKeyRepository(database.jdbi());
        this.listener = new RevocationListener(database, recentlyVerified::clear);
    }

    /**
     * @param owner who the key's objects belong to; null means the key's name
     */
    public CreatedKey create(String name, String owner, boolean admin) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("A key needs a name.");
        String secret = KeyMaterial.newKey();
        ApiKey key = repository.insert(KeyMaterial.newId(), name.strip(),
                owner == null || owner.isBlank() ? name.strip() : owner.strip(),
                KeyMaterial.hash(secret), KeyMaterial.displayPrefix(secret), admin);
        return new CreatedKey(key, secret);
    }

    public List<ApiKey> list() {
        return repository.list();
    }

    /**
     * A new key replacing {@code id} (same name, owner, role and limits); the old key keeps working for
     * {@code overlap}, so clients can move over. Empty when {@code id} is unknown or revoked.
     */
    public Optional<CreatedKey> rotate(String id, Duration overlap) {
        String secret = KeyMaterial.newKey();
        return repository.rotate(id, KeyMaterial.newId(), KeyMaterial.hash(secret), KeyMaterial.displayPrefix(secret), overlap)
                .map(key -> {
                    // A key in its overlap window must not be kept in the cache past its end.
                    recentlyVerified.clear();
                    return new CreatedKey(key, secret);
                });
    }

    /** Newest first, {@code limit} of them, older than the key {@code before} when it is given. */
    public List<ApiKey> page(int limit, String before) {
        return repository.page(limit, before);
    }

    /** Revokes a key; revoking twice keeps the first time. Empty when no key has that id. */
    public Optional<ApiKey> revoke(String id) {
        Optional<ApiKey> revoked = repository.revoke(id);
        // The notification reaches every instance; this one forgets at once, before it answers.
        revoked.ifPresent(key -> recentlyVerified.values().removeIf(v -> v.caller().keyId().equals(key.id())));
        return revoked;
    }

    /** Creates the first admin key when there is none; empty when an active admin key already exists. */
    public Optional<CreatedKey> bootstrapAdmin() {
        if (repository.anyActiveAdmin()) return Optional.empty();
        return Optional.of(create("admin", "admin", true));
    }

    /** The caller for a presented key, or empty when it is unknown or revoked. */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isBlank()) return Optional.empty();
        byte[] hash = KeyMaterial.hash(presented.strip());
        String hashHex = HexFormat.of().formatHex(hash);
        if (listener != null && listener.connected()) {
            Verified cached = recentlyVerified.get(hashHex);
            if (cached != null && System.nanoTime() - cached.atNanos() < CACHE_TTL.toNanos()) return Optional.of(cached.caller());
        }
        Optional<Caller> caller;
        try {
            caller = repository.findActiveByHash(hash)
                    // The lookup is by hash; comparing again in constant time keeps the final decision free of
                    // timing that depends on the stored value.
                    .filter(stored -> MessageDigest.isEqual(stored.hash(), hash))
                    .map(stored -> new Caller(stored.key().id(), stored.key().name(), stored.key().owner(), stored.key().admin(),
                            null, stored.key().revokedAt()));
        } catch (JdbiException databaseDown) {
            return duringOutage(hashHex, databaseDown);
        }
        // A key with a revocation to come (rotated) is checked every time, so that it ends on time.
        if (caller.isPresent() && caller.get().expiresAt() == null) recentlyVerified.put(hashHex, new Verified(caller.get(), System.nanoTime()));
        else recentlyVerified.remove(hashHex);
        return caller;
    }

    @Override
    public void close() {
        if (listener != null) listener.close();
    }

    private Optional<Caller> duringOutage(String hashHex, JdbiException cause) {
        Verified verified = recentlyVerified.get(hashHex);
        if (verified != null && System.nanoTime() - verified.atNanos() < OUTAGE_GRACE.toNanos()) {
            LOG.warn("Database unreachable ({}); accepting key {} verified {} s ago", cause.getMessage(),
                    verified.caller().keyId(), (System.nanoTime() - verified.atNanos()) / 1_000_000_000L);
            return Optional.of(verified.caller());
        }
        throw new GatewayException(503, "server_error", "database_unavailable", null,
                "The gateway cannot verify API keys because its database is unreachable. Retry shortly; operators: "
                        + "check DATABASE_URL and './switchboard doctor'.");
    }
}
