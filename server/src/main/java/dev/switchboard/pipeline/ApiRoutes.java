package dev.switchboard.pipeline;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.websocket.WsConfig;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where capabilities register their API routes: each with its {@link ApiRoute}, so that {@link Admission} runs before
 * its handler. A route of {@code /v1} or {@code /api} registered any other way is refused when called, and found by
 * the test that walks every route.
 */
public final class ApiRoutes {
    private final RoutesConfig routes;
    private final Admission admission;

    ApiRoutes(RoutesConfig routes, Admission admission) {
        this.routes = routes;
        this.admission = admission;
    }

    public ApiRoutes get(String path, ApiRoute route, Handler handler) {
        return add(HandlerType.GET, path, route, handler);
    }

    public ApiRoutes post(String path, ApiRoute route, Handler handler) {
        return add(HandlerType.POST, path, route, handler);
    }

    public ApiRoutes put(String path, ApiRoute route, Handler handler) {
        return add(HandlerType.PUT, path, route, handler);
    }

    public ApiRoutes patch(String path, ApiRoute route, Handler handler) {
        return add(HandlerType.PATCH, path, route, handler);
    }

    public ApiRoutes delete(String path, ApiRoute route, Handler handler) {
        return add(HandlerType.DELETE, path, route, handler);
    }

    /**
     * The same route for every method (GET, POST, PUT, PATCH, DELETE): a catch-all such as {@code /v1/*}, whose
     * declaration names each request ({@link ApiRoute#endpointFrom}) and finds its model ({@link ApiRoute#modelFrom}).
     */
    public ApiRoutes anyMethod(String path, ApiRoute route, Handler handler) {
        for (HandlerType method : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
                HandlerType.DELETE)) {
            add(method, path, route, handler);
        }
        return this;
    }

    /**
     * A WebSocket route: {@code beforeUpgrade} runs once the upgrade is admitted ({@link Admitted#of} works in it),
     * and must take what the session keeps ({@link Admitted#handOver}); a refusal it throws ends the admitted exchange.
     */
    public ApiRoutes ws(String path, ApiRoute route, Handler beforeUpgrade, Consumer<WsConfig> session) {
        ApiRoute named = route.named(path);
        admission.declare("GET", path);
        routes.wsBeforeUpgrade(path, ctx -> {
            Admitted admitted = admission.admitUpgrade(named, ctx);
            try {
                beforeUpgrade.handle(ctx);
            } catch (Exception e) {
                admission.refused(admitted, e);
                throw e;
            }
        });
        routes.ws(path, session);
        return this;
    }

    /** Javalin's own routes, for what is not the API (pages, health): nothing is admitted there. */
    public RoutesConfig unadmitted() {
        return routes;
    }

    private ApiRoutes add(HandlerType method, String path, ApiRoute route, Handler handler) {
        ApiRoute named = route.named(path);
        admission.declare(method.name(), path);
        routes.addEndpoint(new Endpoint(method, path, ctx -> admission.handle(named, ctx, handler), Set.of(named)));
        return this;
    }
}
