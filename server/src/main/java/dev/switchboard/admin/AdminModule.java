package dev.switchboard.admin;

import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.pipeline.ApiRoutes;

/** The admin API: keys, their limits, recent requests, usage per key and live streams. */
public final class AdminModule implements Capability {
    private final KeyAdminRoutes keys;
    private final ActivityAdminRoutes activity;
    private final LimitRoutes limits;

    public AdminModule(Foundations f) {
        this.keys = new KeyAdminRoutes(f.keys(), f.bodies(), f.audit());
        this.activity = new ActivityAdminRoutes(f.requestLog(), f.liveStreams(), f.audit(), f.keys());
        this.limits = new LimitRoutes(f.limits(), f.bodies(), f.keys(), f.audit());
    }

    @Override
    public void register(ApiRoutes api) {
        keys.register(api);
        activity.register(api);
        limits.register(api);
    }
}
