package dev.switchboard.config;

/** Everything the gateway is configured with, validated. Built by {@link SettingsLoader}. */
public record Settings(ServerSettings server, UpstreamSettings upstream, DatabaseSettings database,
                       ModelSettings models, FeatureSettings features, StreamSettings streams, AgentSettings agent,
                       ChatSettings chat, TraceSettings traces) {

    public Settings withUpstream(UpstreamSettings upstream) {
        return new Settings(server, upstream, database, models, features, streams, agent, chat, traces);
    }

    public Settings withServer(ServerSettings server) {
        return new Settings(server, upstream, database, models, features, streams, agent, chat, traces);
    }

    public Settings withFeatures(FeatureSettings features) {
        return new Settings(server, upstream, database, models, features, streams, agent, chat, traces);
    }

    public Settings withDatabase(DatabaseSettings database) {
        return new Settings(server, upstream, database, models, features, streams, agent, chat, traces);
    }
}
