package dev.switchboard.auth;

import dev.switchboard.store.Database;
import dev.switchboard.web.GatewayException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, lists, revokes and verifies gateway keys.
 *
 * <p>A key verified in the database is remembered for {@link #CACHE_TTL} (never past its own end), but only while a
 * {@link RevocationListener} is connected: every revocation, from any process, clears the memory of every
 * instance through PostgreSQL {@code NOTIFY}, so a revocation still takes effect on the next request. Without the
 * listener (the commands, or while it reconnects) every verification reads the database. While the database cannot
 * be reached at all, keys verified within the last {@link #OUTAGE_GRACE} are accepted, so an outage does not stop
 * traffic.
 */
public final class ApiKeys implements AutoCloseable {
    private final java.util.List<KeyRotationListener> rotationListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeys.class);
    static final Duration CACHE_TTL = Duration.ofSeconds(60);
    static final Duration OUTAGE_GRACE = Duration.ofMinutes(15);

    private final ApiKeyRepository repository;
    private final KeyCache cache = new KeyCache(CACHE_TTL);
    private final RevocationListener listener;

    /** Keys checked in the database on every request: for the commands, which run briefly. */
    public ApiKeys(Jdbi jdbi) {
        this.repository = new ApiKeyRepository(jdbi);
        this.listener = null;
    }

    /** Keys remembered between requests, forgotten on any revocation anywhere: for the gateway. */
    public ApiKeys(Database database) {
        this.repository = new ApiKeyRepository(database.jdbi());
        this.listener = new RevocationListener(database, cache::clear);
    }

    /**
     * @param owner who the key's objects belong to; null gives the key a new owner of its own, which no other key shares
     *              (never derived from the name: a key named like another key's owner must not read its objects)
     */
    public CreatedKey create(String name, String owner, boolean admin) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("A key needs a name.");
        if (owner != null && owner.isBlank()) throw new IllegalArgumentException("An owner, when given, cannot be blank.");
        String secret = KeyMaterial.newKey();
        ApiKey key = repository.insert(KeyMaterial.newId(), name.strip(), owner == null ? KeyMaterial.newOwner() : owner.strip(),
                KeyMaterial.hash(secret), KeyMaterial.displayPrefix(secret), admin);
        return new CreatedKey(key, secret);
    }

    public List<ApiKey> list() {
        return repository.list();
    }

    /**
     * A new key replacing {@code id} (same name, owner, role and limits); the old key keeps working for
     * {@code overlap}, so clients can move over. Empty when {@code id} is unknown or revoked. Every instance learns
     * the old key's end at once (the same notification as a revocation) and refuses it from that instant.
     */
    public Optional<CreatedKey> rotate(String id, Duration overlap) {
        String secret = KeyMaterial.newKey();
        return repository.rotate(id, KeyMaterial.newId(), KeyMaterial.hash(secret), KeyMaterial.displayPrefix(secret), overlap,
                        rotationListeners)
                .map(key -> {
                    cache.forget(id);
                    return new CreatedKey(key, secret);
                });
    }

    /** Told of every rotation made through this instance, inside its transaction (limits copy a key's limits so). */
    public void onRotation(KeyRotationListener listener) {
        rotationListeners.add(listener);
    }

    /** Whether a key with this id was ever made (revoked or not). */
    public boolean exists(String id) {
        return repository.exists(id);
    }

    /** Newest first, {@code limit} of them, older than the key {@code before} when it is given. */
    public List<ApiKey> page(int limit, String before) {
        return repository.page(limit, before);
    }

    /**
     * Revokes a key at once, even one in its rotation overlap; revoking a key already refused keeps the first time.
     * Empty when no key has that id.
     */
    public Optional<ApiKey> revoke(String id) {
        Optional<ApiKey> revoked = repository.revoke(id);
        // The notification reaches every instance; this one forgets at once, before it answers.
        revoked.ifPresent(key -> cache.forget(key.id()));
        return revoked;
    }

    /** Creates the first admin key when there is none; empty when an active admin key already exists. */
    public Optional<CreatedKey> bootstrapAdmin() {
        if (repository.anyActiveAdmin()) return Optional.empty();
        // The owner is named so that a later bootstrap (every admin key revoked) finds the same objects.
        return Optional.of(create("admin", "admin", true));
    }

    /**
     * Whether a presented key has the form of a gateway key: the usual mistake is an app sending its OpenAI key
     * ({@code sk-…}), which deserves its own explanation rather than "unknown or revoked".
     */
    public static boolean looksLikeGatewayKey(String presented) {
        return presented != null && presented.strip().startsWith(KeyMaterial.KEY_PREFIX);
    }

    /** The caller for a presented key, or empty when it is unknown or revoked. */
    public Optional<Caller> authenticate(String presented) {
        if (presented == null || presented.isBlank()) return Optional.empty();
        byte[] hash = KeyMaterial.hash(presented.strip());
        String hashHex = HexFormat.of().formatHex(hash);
        if (cacheTrusted()) {
            Optional<Caller> cached = cache.byHash(hashHex);
            if (cached.isPresent()) return cached;
        }
        long generation = cache.generation();
        Optional<Caller> caller;
        try {
            caller = repository.findActiveByHash(hash)
                    // The lookup is by hash; comparing again in constant time keeps the final decision free of
                    // timing that depends on the stored value.
                    .filter(stored -> MessageDigest.isEqual(stored.hash(), hash))
                    .map(stored -> caller(stored.key()));
        } catch (JdbiException databaseDown) {
            return Optional.of(duringOutage(cache.byHash(hashHex, OUTAGE_GRACE), databaseDown));
        }
        if (caller.isPresent()) cache.remember(generation, hashHex, caller.get());
        else cache.forgetHash(hashHex);
        return caller;
    }

    /**
     * True while the key {@code keyId} is accepted: not revoked, and not past its rotation overlap. Every credential
     * a key mints ({@link KeyCredentials}) carries the key's id and is honoured only while this holds, so it ends with
     * the key, on every instance, as soon as the key itself does.
     *
     * @throws GatewayException 503 when the database is unreachable and the key was not verified recently
     */
    public boolean active(String keyId) {
        if (keyId == null || keyId.isBlank()) return false;
        if (cacheTrusted()) {
            if (cache.byId(keyId).isPresent()) return true;
        }
        long generation = cache.generation();
        Optional<Caller> caller;
        try {
            caller = repository.findActiveById(keyId).map(ApiKeys::caller);
        } catch (JdbiException databaseDown) {
            duringOutage(cache.byId(keyId, OUTAGE_GRACE), databaseDown);
            return true;
        }
        if (caller.isPresent()) cache.remember(generation, null, caller.get());
        else cache.dropId(keyId);
        return caller.isPresent();
    }

    @Override
    public void close() {
        if (listener != null) listener.close();
    }

    /** The cache can miss a revocation while no listener hears them: then every check reads the database. */
    private boolean cacheTrusted() {
        return listener != null && listener.connected();
    }

    private static Caller caller(ApiKey key) {
        return new Caller(key.id(), key.name(), key.owner(), key.admin(), null, key.revokedAt());
    }

    private static Caller duringOutage(Optional<Caller> verified, JdbiException cause) {
        if (verified.isPresent()) {
            LOG.warn("Database unreachable ({}); accepting key {} verified in the last {} minutes", cause.getMessage(),
                    verified.get().keyId(), OUTAGE_GRACE.toMinutes());
            return verified.get();
        }
        throw new GatewayException(503, "server_error", "database_unavailable", null,
                "The gateway cannot verify API keys because its database is unreachable. Retry shortly; operators: "
                        + "check DATABASE_URL and './switchboard doctor'.");
    }
}
