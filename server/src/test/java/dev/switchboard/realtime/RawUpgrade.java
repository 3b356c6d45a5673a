package dev.switchboard.realtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A WebSocket upgrade request written by hand over a plain socket, and the HTTP answer read as it comes: status,
 * every header (repeated ones kept), and the body. What a refused upgrade really sends, with no client in between.
 */
record RawUpgrade(int status, Map<String, List<String>> headers, String body) {

    /** Sends {@code GET path} as a WebSocket upgrade with {@code extraHeaders} (name, value, name, value...). */
    static RawUpgrade send(int port, String path, String... extraHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n");
            for (int i = 0; i < extraHeaders.length; i += 2) {
                request.append(extraHeaders[i]).append(": ").append(extraHeaders[i + 1]).append("\r\n");
            }
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    /** The first value of a header, or null. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.getFirst();
    }

    private static RawUpgrade read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, List<String>> headers = new TreeMap<>();
        for (String line; !(line = line(in)).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> length = headers.get("content-length");
        List<String> encoding = headers.get("transfer-encoding");
        if (status == 101) {
            // The socket stays open as a WebSocket: there is no HTTP body to read.
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length.getFirst())));
        } else if (encoding != null && encoding.getFirst().equalsIgnoreCase("chunked")) {
            for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; line(in)) {
                body.write(in.readNBytes(size));
            }
        } else {
            body.write(in.readAllBytes());
        }
        return new RawUpgrade(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
