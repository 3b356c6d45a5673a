package dev.switchboard.documents;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.config.AgentSettings;
import dev.switchboard.modules.Capability;
import dev.switchboard.modules.Foundations;
import dev.switchboard.observe.ExchangeListener;
import dev.switchboard.pipeline.ApiRoutes;
import dev.switchboard.upstream.UpstreamClient;
import dev.switchboard.web.RequestBodies;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/** The document capability, wired: storage, signed URLs, the safe fetcher, vision OCR and the routes. */
public final class DocumentsModule implements Capability {
    private final DocumentFetcher fetcher;
    private final VisionOcr ocr;
    private final DocumentRoutes routes;

    public DocumentsModule(Foundations f) {
        this(f.jdbi(), f.keys(), f.upstream(), f.listener(), f.settings().agent());
    }

    private DocumentsModule(Jdbi jdbi, ApiKeys keys, UpstreamClient upstream, ExchangeListener listener, AgentSettings settings) {
        DocumentStore store = new DocumentStore(jdbi);
        SignedUrls signedUrls = new SignedUrls(jdbi, keys);
        this.fetcher = new DocumentFetcher(new DocumentFetcher.Rules(settings.documentUrlAllowlist(), true,
                settings.documentMaxBytes(), 3, Duration.ofSeconds(20)));
        this.ocr = new VisionOcr(store, signedUrls, fetcher, upstream, listener, settings.visionModel());
        this.routes = new DocumentRoutes(store, signedUrls, new RequestBodies(settings.documentMaxBytes()));
    }

    public VisionOcr ocr() {
        return ocr;
    }

    @Override
    public void register(ApiRoutes routesConfig) {
        routes.register(routesConfig);
    }

    @Override
    public void close() {
        fetcher.close();
    }
}
