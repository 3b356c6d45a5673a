package dev.switchboard.openai;

import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.ownership.ApiOwnership;
import dev.switchboard.pipeline.ApiRoutes;

/** The OpenAI-compatible routes, wired; and how their streams end or go on when their instance is gone. */
public final class OpenAiModule implements Capability {
    private final OpenAiRoutes routes;

    public OpenAiModule(Foundations f) {
        OpenAiRoutes.registerEndings(f.follower().endings());
        // Before the orphan sweeper starts: a background response left by a gone instance is read on from upstream.
        OpenAiRoutes.registerContinuations(f.follower().endings(), f.upstream(), f.listener());
        this.routes = new OpenAiRoutes(f.upstream(), f.relay(), f.bodies(), new ApiOwnership(f.owned()),
                new DeferredUsage(f.jdbi(), f.listener()), f.settings().server().maxUploadBytes());
    }

    @Override
    public void register(ApiRoutes api) {
        routes.register(api);
    }
}
