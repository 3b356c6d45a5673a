package dev.switchboard.assistants;

import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.pipeline.ApiRoutes;

/** The Assistants API v2 kept by the gateway, wired. */
public final class AssistantsModule implements Capability {
    private final AssistantsRoutes routes;

    public AssistantsModule(Foundations f) {
        this.routes = new AssistantsRoutes(f.jdbi(), f.bodies(), new RunEngine.Deps(f.upstream(), f.eventLog(), f.listener()),
                f.follower(), f.heartbeats(), f.streamTokens(), f.instances());
    }

    @Override
    public void register(ApiRoutes api) {
        routes.register(api);
    }

    @Override
    public void close() {
        routes.close();
    }
}
