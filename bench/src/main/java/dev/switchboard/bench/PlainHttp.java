package dev.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A minimal HTTP/1.1 client for the load generator: plain sockets read on virtual threads, kept-alive connections
 * reused, bodies read as bytes. The JDK's HttpClient costs about four times nginx's CPU per relayed event (its
 * selector thread hands every chunk to another thread), so on two cores it, not the target, would set the pace
 * at 1,000 streams; this costs a fraction of that. Loopback {@code http://} only.
 */
final class PlainHttp implements AutoCloseable {
    private final String host;
    private final int port;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    PlainHttp(URI base) {
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
    }

    /** Sends a POST and reads the response head; the caller reads the body, then {@link Response#close}s it. */
    Response post(String path, Map<String, String> headers, byte[] body, int timeoutMillis) throws IOException {
        StringBuilder head = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port).append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(body.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] request = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        Connection connection = idle.pollFirst();
        if (connection != null) {
            try {
                return connection.exchange(request, body, timeoutMillis);
            } catch (IOException stale) {
                connection.close(); // the server closed an idle connection: open a new one
            }
        }
        return new Connection(new Socket()).connect(host, port).exchange(request, body, timeoutMillis);
    }

    @Override
    public void close() {
        for (Connection c; (c = idle.pollFirst()) != null; ) c.close();
    }

    /** One response: its status, and its body read through {@link #read}. */
    final class Response implements AutoCloseable {
        final int status;
        private final Connection connection;
        private final boolean chunked;
        private final boolean keepAlive;
        private long remaining; // of the current chunk, or of a Content-Length body; -1 until the end of the stream
        private boolean ended;

        Response(Connection connection, int status, boolean chunked, long contentLength, boolean keepAlive) {
            this.connection = connection;
            this.status = status;
            this.chunked = chunked;
            this.keepAlive = keepAlive && (chunked || contentLength >= 0);
            this.remaining = chunked ? 0 : contentLength;
            this.ended = !chunked && contentLength == 0;
        }

        /** Reads body bytes into {@code into}; returns how many, or -1 at the end of the body. */
        int read(byte[] into) throws IOException {
            if (ended) return -1;
            if (chunked && remaining == 0) {
                String size = connection.readLine();
                if (size.isEmpty()) size = connection.readLine(); // the CRLF that ends the previous chunk
                int semicolon = size.indexOf(';');
                remaining = Long.parseLong(semicolon < 0 ? size.strip() : size.substring(0, semicolon).strip(), 16);
                if (remaining == 0) {
                    while (!connection.readLine().isEmpty()) { } // trailers
                    ended = true;
                    return -1;
                }
            }
            int max = remaining < 0 ? into.length : (int) Math.min(into.length, remaining);
            int n = connection.read(into, max);
            if (n < 0) {
                if (remaining < 0) {
                    ended = true;
                    return -1;
                }
                throw new IOException("the connection closed in the middle of the body");
            }
            if (remaining > 0) {
                remaining -= n;
                if (!chunked && remaining == 0) ended = true;
            }
            return n;
        }

        /** Reads the rest of the body, and keeps the connection for another request when the server allows. */
        @Override
        public void close() {
            byte[] skip = new byte[4096];
            try {
                while (read(skip) >= 0) { }
                if (keepAlive) idle.addFirst(connection);
                else connection.close();
            } catch (IOException | RuntimeException e) {
                connection.close();
            }
        }
    }

    private final class Connection {
        private final Socket socket;
        private InputStream in;
        private OutputStream out;
        private final byte[] buffer = new byte[8192];
        private int pos;
        private int limit;

        Connection(Socket socket) {
            this.socket = socket;
        }

        Connection connect(String host, int port) throws IOException {
            socket.connect(new InetSocketAddress(host, port), 30_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            return this;
        }

        Response exchange(byte[] head, byte[] body, int timeoutMillis) throws IOException {
            socket.setSoTimeout(timeoutMillis);
            out.write(head);
            out.write(body);
            out.flush();
            String statusLine = readLine();
            if (statusLine.isEmpty()) throw new IOException("the connection closed before a response");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            boolean chunked = false;
            boolean keepAlive = true;
            long length = -1;
            for (String line; !(line = readLine()).isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String name = line.substring(0, colon).strip().toLowerCase();
                String value = line.substring(colon + 1).strip();
                switch (name) {
                    case "transfer-encoding" -> chunked = value.toLowerCase().contains("chunked");
                    case "content-length" -> length = Long.parseLong(value);
                    case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            return new Response(this, status, chunked, chunked ? -1 : length, keepAlive);
        }

        /** One CRLF-ended line of the head or of chunk framing, without its end; "" at the end of the stream. */
        String readLine() throws IOException {
            StringBuilder line = new StringBuilder(32);
            while (true) {
                if (pos == limit && !fill()) return line.toString();
                byte b = buffer[pos++];
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
                    return line.toString();
                }
                line.append((char) (b & 0xff));
            }
        }

        int read(byte[] into, int max) throws IOException {
            if (pos == limit && !fill()) return -1;
            int n = Math.min(max, limit - pos);
            System.arraycopy(buffer, pos, into, 0, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer);
            if (n <= 0) return false;
            pos = 0;
            limit = n;
            return true;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
