package dev.switchboard.config;

import java.util.Optional;

/**
 * Which PostgreSQL to use.
 *
 * @param url a {@code DATABASE_URL} ({@code postgres://user:pass@host:port/db} or {@code jdbc:postgresql://...});
 *            empty means the embedded PostgreSQL kept under the data directory
 */
public record DatabaseSettings(Optional<Secret> url) {
    public boolean embedded() {
        return url.isEmpty();
    }
}
