package dev.switchboard.emulator.audio;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The text the emulator's speech says, carried in the speech so that its transcription can give it back: a payload
 * (a magic number, a length and the UTF-8 text) written into the least significant bit of each PCM16 sample, one
 * bit a sample, most significant bit first. A change of one unit a sample is inaudible, and lossless copies (wav,
 * flac, raw pcm, a conversion between them) keep it; {@link AudioFiles} also puts the payload where each lossy
 * format keeps data.
 */
public final class SpokenText {
    private static final int MAGIC = 0x53425431; // "SBT1"
    private static final int HEADER = 8;
    /** No speech input is longer than 4096 characters; a length past this is not a payload. */
    private static final int MAX_TEXT_BYTES = 4096 * 4;

    private SpokenText() {}

    public static byte[] payload(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(HEADER + utf8.length).putInt(MAGIC).putInt(utf8.length).put(utf8).array();
    }

    /** Samples needed to carry this payload in the samples' low bits. */
    static int samplesFor(byte[] payload) {
        return payload.length * 8;
    }

    /** Writes the payload into the samples' low bits (little-endian PCM16, changed in place). */
    static void embed(byte[] pcm, byte[] payload) {
        int bits = payload.length * 8;
        if (bits > pcm.length / 2) throw new IllegalArgumentException("too few samples for the payload");
        for (int i = 0; i < bits; i++) {
            int bit = (payload[i >>> 3] >>> (7 - (i & 7))) & 1;
            pcm[2 * i] = (byte) ((pcm[2 * i] & 0xFE) | bit);
        }
    }

    /** The text in these samples' low bits, if they carry one. */
    static Optional<String> fromSamples(byte[] pcm) {
        int samples = pcm.length / 2;
        if (samples < HEADER * 8) return Optional.empty();
        int length = header(lowBits(pcm, 0, HEADER));
        if (length < 0 || (long) (HEADER + length) * 8 > samples) return Optional.empty();
        return fromPayload(lowBits(pcm, 0, HEADER + length));
    }

    private static byte[] lowBits(byte[] pcm, int firstByte, int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count * 8; i++) {
            int sample = (firstByte * 8) + i;
            bytes[i >>> 3] |= (byte) ((pcm[2 * sample] & 1) << (7 - (i & 7)));
        }
        return bytes;
    }

    /** The text in a payload at the start of these bytes (those after it are ignored), if it is one. */
    static Optional<String> fromPayload(byte[] bytes) {
        if (bytes.length < HEADER) return Optional.empty();
        int length = header(bytes);
        if (length < 0 || HEADER + length > bytes.length) return Optional.empty();
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return Optional.of(decoder.decode(ByteBuffer.wrap(bytes, HEADER, length)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The text's length in a payload header, or -1 when these bytes do not start one. */
    private static int header(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, HEADER);
        if (buffer.getInt() != MAGIC) return -1;
        int length = buffer.getInt();
        return length < 0 || length > MAX_TEXT_BYTES ? -1 : length;
    }
}
