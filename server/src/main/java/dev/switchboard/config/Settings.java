package dev.switchboard.config;

import java.util.Optional;

/** Everything the gateway is configured with, validated. Built by {@link SettingsLoader}. */
public record Settings(ServerSettings server, UpstreamSettings upstream, DatabaseSettings database,
                       ModelSettings models, FeatureSettings features, Optional<Secret> redisUrl) {

    public Settings withUpstream(UpstreamSettings upstream) {
        return new Settings(server, upstream, database, models, features, redisUrl);
    }

    public Settings withServer(ServerSettings server) {
        return new Settings(server, upstream, database, models, features, redisUrl);
    }

    public Settings withDatabase(DatabaseSettings database) {
        return new Settings(server, upstream, database, models, features, redisUrl);
    }
}
