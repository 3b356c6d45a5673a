package dev.switchboard.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A JDBC URL with its credentials apart, parsed from either form of {@code DATABASE_URL}:
 * {@code postgres://user:pass@host:5432/db?sslmode=require} or {@code jdbc:postgresql://host:5432/db?user=...}.
 * {@link #toString()} leaves the password out.
 */
public record ConnectionInfo(String jdbcUrl, String user, String password) {

    public static ConnectionInfo parse(String databaseUrl) {
        if (databaseUrl.startsWith("jdbc:postgresql:")) return new ConnectionInfo(databaseUrl, null, null);
        URI uri = URI.create(databaseUrl);
        if (!"postgres".equals(uri.getScheme()) && !"postgresql".equals(uri.getScheme())) {
            throw new IllegalArgumentException("DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql://");
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            if (parts.length > 1) password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
        String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return new ConnectionInfo(jdbc, user, password);
    }

    /** Where the database is, for start-up messages: the JDBC URL without any credentials. */
    public String location() {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    @Override
    public String toString() {
        return "ConnectionInfo[" + location() + ", user=" + user + "]";
    }
}
