package dev.switchboard.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    @Test
    void readsEventNameDataAndId() throws IOException {
        List<SseFrame> frames = read("event: response.created\ndata: {\"a\":1}\nid: 7\n\ndata: [DONE]\n\n");
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).event()).isEqualTo("response.created");
        assertThat(frames.get(0).data()).isEqualTo("{\"a\":1}");
        assertThat(frames.get(0).id()).isEqualTo("7");
        assertThat(frames.get(1).data()).isEqualTo("[DONE]");
    }

    @Test
    void theEventNameAloneCanBeReadFirstAndTheOtherFieldsAfter() throws IOException {
        SseFrame frame = read("id: 3\ndata: x\nevent: early\nevent: late\n\n").getFirst();
        assertThat(frame.event()).isEqualTo("late");
        assertThat(frame.data()).isEqualTo("x");
        assertThat(frame.id()).isEqualTo("3");
        assertThat(frame.event()).isEqualTo("late");
        assertThat(read("data: only\n\n").getFirst().event()).isNull();
    }

    @Test
    void acceptsCrlfAndCrLineEndingsAndKeepsTheBytes() throws IOException {
        String crlf = "data: one\r\n\r\ndata: two\r\r";
        List<SseFrame> frames = read(crlf);
        assertThat(frames).extracting(SseFrame::data).containsExactly("one", "two");
        assertThat(concat(frames)).isEqualTo(crlf);
    }

    @Test
    void joinsMultiLineDataAndSkipsComments() throws IOException {
        List<SseFrame> frames = read(": keep-alive\ndata: a\ndata:b\n: note\ndata:  c\n\n");
        assertThat(frames).singleElement().satisfies(f -> assertThat(f.data()).isEqualTo("a\nb\n c"));
    }

    @Test
    void aCommentOnlyFrameHasNoData() throws IOException {
        List<SseFrame> frames = read(": ping\n\ndata: x\n\n");
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).hasData()).isFalse();
        assertThat(frames.get(1).data()).isEqualTo("x");
    }

    @Test
    void dropsAnEventCutOffByTheEndOfTheStream() throws IOException {
        SseReader reader = new SseReader(stream("data: complete\n\ndata: partial"));
        assertThat(reader.next().data()).isEqualTo("complete");
        assertThat(reader.next()).isNull();
        assertThat(reader.truncated()).isTrue();
    }

    @Test
    void aCleanEndIsNotTruncated() throws IOException {
        SseReader reader = new SseReader(stream("data: complete\n\n"));
        reader.next();
        assertThat(reader.next()).isNull();
        assertThat(reader.truncated()).isFalse();
    }

    @Test
    void handlesEventsSplitAcrossReadsOneByteAtATime() throws IOException {
        String text = "event: e\r\ndata: {\"k\":\"v\"}\r\n\r\n";
        InputStream trickle = new InputStream() {
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int i;

            @Override
            public int read() {
                return i < bytes.length ? bytes[i++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= bytes.length) return -1;
                b[off] = bytes[i++];
                return 1;
            }
        };
        SseReader reader = new SseReader(trickle);
        SseFrame frame = reader.next();
        assertThat(frame.event()).isEqualTo("e");
        assertThat(frame.data()).isEqualTo("{\"k\":\"v\"}");
        assertThat(new String(frame.raw(), StandardCharsets.UTF_8) + rest(reader)).isEqualTo(text);
    }

    @Test
    void keepsMultiByteCharacters() throws IOException {
        assertThat(read("data: héllo ✓\n\n").get(0).data()).isEqualTo("héllo ✓");
    }

    private static String rest(SseReader reader) throws IOException {
        StringBuilder rest = new StringBuilder();
        for (SseFrame f; (f = reader.next()) != null; ) rest.append(new String(f.raw(), StandardCharsets.UTF_8));
        return rest.toString();
    }

    private static List<SseFrame> read(String text) throws IOException {
        SseReader reader = new SseReader(stream(text));
        List<SseFrame> frames = new ArrayList<>();
        for (SseFrame f; (f = reader.next()) != null; ) frames.add(f);
        return frames;
    }

    private static String concat(List<SseFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.forEach(f -> out.writeBytes(f.raw()));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
