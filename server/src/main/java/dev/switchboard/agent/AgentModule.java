package dev.switchboard.agent;

import dev.switchboard.documents.DocumentsModule;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.pipeline.ApiRoutes;

/** Agent sessions and streaming, their tools (the built-in ones and the documents' OCR), and their admin views. */
public final class AgentModule implements Capability {
    private final ToolRegistry tools = AgentRoutes.builtinTools();
    private final ToolExecutor executor;
    private final AgentRoutes routes;
    private final AgentAdminRoutes admin;

    public AgentModule(Foundations f) {
        tools.register(new VisionOcrTool(f.capability(DocumentsModule.class).ocr()));
        this.executor = new ToolExecutor(tools, f.settings().agent().toolTimeout(), f.recorder()::toolCall);
        this.routes = new AgentRoutes(f.jdbi(), f.bodies(), f.follower(),
                AgentRoutes.deps(f.upstream(), f.eventLog(), f.listener(), executor, f.settings().agent()),
                f.settings().models().chatModel(), f.settings().features().streamingEnabled(), f.instances());
        this.admin = new AgentAdminRoutes(f.jdbi());
    }

    /** The tools agents may use; more can be registered (an embedding application's own, MCP servers'). */
    public ToolRegistry tools() {
        return tools;
    }

    /** Runs tools with the timeout and the debug log, for agents and Realtime voice sessions alike. */
    public ToolExecutor executor() {
        return executor;
    }

    @Override
    public void register(ApiRoutes api) {
        routes.register(api);
        admin.register(api);
    }
}
