package dev.switchboard.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every way a document URL could reach into the gateway's network is refused; public documents are fetched. */
class DocumentFetcherTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
    static HttpServer server;
    static int port;
    static DocumentFetcher fetcher;

    @BeforeAll
    static void start() throws IOException {
        // 127.0.0.2 plays a public host: the test's resolver maps public.test to it, and only it is let through.
        server = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        port = server.getAddress().getPort();
        server.createContext("/image.png", x -> respond(x, 200, PNG));
        server.createContext("/big.png", x -> {
            byte[] big = new byte[5_000];
            System.arraycopy(PNG, 0, big, 0, PNG.length);
            respond(x, 200, big);
        });
        server.createContext("/text", x -> respond(x, 200, "just text".getBytes()));
        server.createContext("/to-private", x -> {
            x.getResponseHeaders().add("Location", "http://private.test:" + port + "/image.png");
            respond(x, 302, new byte[0]);
        });
        server.createContext("/to-public", x -> {
            x.getResponseHeaders().add("Location", "/image.png");
            respond(x, 302, new byte[0]);
        });
        server.start();
        fetcher = new DocumentFetcher(new DocumentFetcher.Rules(Set.of("public.test", "private.test", "mixed.test",
                "127.0.0.1", "169.254.169.254"), false, 1_000, 3, Duration.ofSeconds(5)),
                host -> switch (host) {
                    case "public.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.2")};
                    case "private.test" -> new InetAddress[] {InetAddress.getByName("10.0.0.7")};
                    case "mixed.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("192.168.1.1")};
                    default -> InetAddress.getAllByName(host);
                },
                address -> address.getHostAddress().equals("127.0.0.2") || AddressPolicy.isPublic(address));
    }

    @AfterAll
    static void stop() {
        fetcher.close();
        server.stop(0);
    }

    @Test
    void fetchesADocumentFromAPublicHostAndRecognisesItsType() {
        DocumentFetcher.Fetched fetched = fetcher.fetch(url("public.test", "/image.png"));
        assertThat(fetched.type()).isEqualTo(MediaType.PNG);
        assertThat(fetched.bytes()).isEqualTo(PNG);
    }

    @Test
    void followsARedirectThatStaysPublic() {
        assertThat(fetcher.fetch(url("public.test", "/to-public")).finalUri().getPath()).isEqualTo("/image.png");
    }

    @Test
    void refusesLoopbackPrivateAndMetadataAddresses() {
        assertRefused(url("127.0.0.1", "/image.png"), "address_not_allowed");
        assertRefused(url("private.test", "/image.png"), "address_not_allowed");
        assertRefused(URI.create("http://169.254.169.254/latest/meta-data/"), "address_not_allowed");
        assertRefused(url("mixed.test", "/image.png"), "address_not_allowed");
    }

    @Test
    void refusesARedirectIntoThePrivateNetwork() {
        assertRefused(url("public.test", "/to-private"), "address_not_allowed");
    }

    @Test
    void refusesOversizeAndUnsupportedContent() {
        assertRefused(url("public.test", "/big.png"), "too_large");
        assertRefused(url("public.test", "/text"), "unsupported_type");
    }

    @Test
    void refusesHostsOffTheAllowlistAndPlainHttpWhenHttpsIsRequired() {
        assertRefused(url("elsewhere.test", "/image.png"), "host_not_allowed");
        try (DocumentFetcher strict = new DocumentFetcher(new DocumentFetcher.Rules(Set.of("public.test"), true, 1_000, 3,
                Duration.ofSeconds(5)))) {
            assertThatThrownBy(() -> strict.fetch(url("public.test", "/image.png")))
                    .isInstanceOfSatisfying(DocumentRefused.class, e -> assertThat(e.code()).isEqualTo("scheme_not_allowed"));
        }
    }

    @Test
    void theAddressPolicyKnowsEveryInwardRange() throws Exception {
        for (String inward : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "fd12::1", "::ffff:10.0.0.1", "::"}) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(inward))).as(inward).isFalse();
        }
        for (String outward : new String[] {"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"}) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(outward))).as(outward).isTrue();
        }
    }

    private static void assertRefused(URI uri, String code) {
        assertThatThrownBy(() -> fetcher.fetch(uri)).as(uri.toString())
                .isInstanceOfSatisfying(DocumentRefused.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static URI url(String host, String path) {
        return URI.create("http://" + host + ":" + port + path);
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) exchange.getResponseBody().write(body);
        exchange.close();
    }
}
