package dev.switchboard.auth;

import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates, lists, revokes and verifies gateway keys. Every verification reads the database, so a revocation takes
 * effect on the next request, on every gateway instance.
 */
public final class ApiKeys {
    private final ApiKeyRepository repository;

    public ApiKeys(Jdbi jdbi) {
        this.repository = new ApiKeyRepository(jdbi);
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

    /** Revokes a key; revoking twice keeps the first time. Empty when no key has that id. */
    public Optional<ApiKey> revoke(String id) {
        return repository.revoke(id);
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
        return repository.findActiveByHash(hash)
                // The lookup is by hash; comparing again in constant time keeps the final decision free of
                // timing that depends on the stored value.
                .filter(stored -> MessageDigest.isEqual(stored.hash(), hash))
                .map(stored -> new Caller(stored.key().id(), stored.key().name(), stored.key().owner(), stored.key().admin()));
    }
}
