package dev.switchboard.eval;

import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.pipeline.ApiRoutes;

/** The stored evaluation runs' admin routes. */
public final class EvalModule implements Capability {
    private final EvalRunsRoutes routes;

    public EvalModule(Foundations f) {
        this.routes = new EvalRunsRoutes(f.jdbi(), f.bodies());
    }

    @Override
    public void register(ApiRoutes api) {
        routes.register(api);
    }
}
