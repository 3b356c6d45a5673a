package dev.switchboard.emulator.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads an uploaded audio file as far as the emulator's transcription needs: how long it plays, and the text it says
 * when it is the emulator's own speech ({@link SpokenText}) in any format {@link AudioFiles} writes, or a lossless
 * copy of it (a PCM16 wav, whoever wrote it). Anything else is heard as no known text, never an error: OpenAI
 * transcribes noise too.
 */
public final class SpeechReader {
    /** What a file says (when it is the emulator's speech) and how long it plays. */
    public record Heard(Optional<String> text, double seconds) {}

    private SpeechReader() {}

    public static Heard read(byte[] file) {
        try {
            if (startsWith(file, "RIFF") && file.length > 12 && "WAVE".equals(ascii(file, 8, 4))) return wav(file);
            if (startsWith(file, "fLaC")) return flac(file);
            if (startsWith(file, "OggS")) return ogg(file);
            int start = startsWith(file, "ID3") ? id3Length(file) : 0;
            if (file.length > start + 1 && (file[start] & 0xFF) == 0xFF && (file[start + 1] & 0xF6) == 0xF0) return adts(file);
            if (file.length > start + 1 && (file[start] & 0xFF) == 0xFF && (file[start + 1] & 0xE0) == 0xE0) return mp3(file, start);
        } catch (RuntimeException malformed) {
            // Not a file this reader follows: heard as unknown audio below.
        }
        // Unknown: a length guessed from the size, as if it were 128 kbit/s.
        return new Heard(Optional.empty(), Math.max(0.1, file.length / 16_000.0));
    }

    private static Heard wav(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        in.position(12);
        int channels = 1, rate = AudioFiles.RATE, bits = 16, format = 1;
        while (in.remaining() >= 8) {
            String id = ascii(file, in.position(), 4);
            in.position(in.position() + 4);
            long size = in.getInt() & 0xFFFFFFFFL;
            int body = in.position();
            if (id.equals("fmt ")) {
                format = in.getShort() & 0xFFFF;
                channels = in.getShort();
                rate = in.getInt();
                in.getInt();
                in.getShort();
                bits = in.getShort();
            } else if (id.equals("data")) {
                int length = (int) Math.min(size, file.length - body);
                byte[] data = java.util.Arrays.copyOfRange(file, body, body + length);
                double seconds = (double) length / Math.max(1, rate * channels * Math.max(1, bits / 8));
                Optional<String> text = format == 1 && channels == 1 && bits == 16 ? SpokenText.fromSamples(data) : Optional.empty();
                return new Heard(text, seconds);
            }
            in.position((int) Math.min(file.length, body + size + (size & 1)));
        }
        return new Heard(Optional.empty(), 0);
    }

    // FLAC as AudioFiles writes it: STREAMINFO, then frames of one verbatim 16-bit subframe each.
    private static Heard flac(byte[] file) {
        int at = 4;
        long totalSamples = 0;
        int rate = AudioFiles.RATE;
        boolean last = false;
        while (!last) {
            last = (file[at] & 0x80) != 0;
            int type = file[at] & 0x7F;
            int length = ((file[at + 1] & 0xFF) << 16) | ((file[at + 2] & 0xFF) << 8) | (file[at + 3] & 0xFF);
            if (type == 0) {
                long packed = ByteBuffer.wrap(file, at + 4 + 10, 8).getLong();
                rate = (int) (packed >>> 44);
                totalSamples = packed & 0xFFFFFFFFFL;
            }
            at += 4 + length;
        }
        double seconds = (double) totalSamples / rate;
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        while (at + 6 < file.length && (file[at] & 0xFF) == 0xFF && (file[at + 1] & 0xFE) == 0xF8) {
            int blockCode = (file[at + 2] & 0xF0) >>> 4;
            int p = at + 4;
            int lead = Integer.numberOfLeadingZeros(~(file[p] << 24)); // the UTF-8 coded frame number's length
            p += Math.max(1, lead);
            int size;
            if (blockCode == 0b0111) {
                size = (((file[p] & 0xFF) << 8) | (file[p + 1] & 0xFF)) + 1;
                p += 2;
            } else {
                return new Heard(Optional.empty(), seconds);
            }
            p += 1; // CRC-8
            if ((file[p] & 0xFF) != 0x02) return new Heard(Optional.empty(), seconds); // not a verbatim subframe
            p += 1;
            for (int i = 0; i < size; i++, p += 2) {
                pcm.write(file[p + 1]);
                pcm.write(file[p]);
            }
            at = p + 2; // CRC-16
        }
        return new Heard(SpokenText.fromSamples(pcm.toByteArray()), seconds);
    }

    private static Heard ogg(byte[] file) {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        Optional<String> text = Optional.empty();
        int packets = 0;
        long lastGranule = 0;
        int preSkip = 0;
        boolean opus = false;
        for (int at = 0; at + 27 <= file.length && startsWith(file, at, "OggS"); ) {
            long granule = ByteBuffer.wrap(file, at + 6, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (granule >= 0) lastGranule = granule;
            int segments = file[at + 26] & 0xFF;
            int body = at + 27 + segments;
            for (int s = 0; s < segments; s++) {
                int lace = file[at + 27 + s] & 0xFF;
                packet.write(file, body, lace);
                body += lace;
                if (lace < 255) {
                    byte[] whole = packet.toByteArray();
                    packet.reset();
                    if (packets == 0 && startsWith(whole, "OpusHead")) {
                        opus = true;
                        preSkip = ByteBuffer.wrap(whole, 10, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
                    } else if (packets == 1 && startsWith(whole, "OpusTags")) {
                        text = opusComment(whole);
                    }
                    packets++;
                }
            }
            at = body;
        }
        double seconds = opus ? Math.max(0, lastGranule - preSkip) / 48_000.0 : lastGranule / 48_000.0;
        return new Heard(text, seconds);
    }

    private static Optional<String> opusComment(byte[] tags) {
        ByteBuffer in = ByteBuffer.wrap(tags).order(ByteOrder.LITTLE_ENDIAN);
        in.position(8);
        in.position(in.position() + 4 + in.getInt(8));
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            int length = in.getInt();
            String comment = new String(tags, in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            if (comment.startsWith(AudioFiles.OPUS_COMMENT)) {
                return SpokenText.fromPayload(Base64.getDecoder().decode(comment.substring(AudioFiles.OPUS_COMMENT.length())));
            }
        }
        return Optional.empty();
    }

    private static final int[] ADTS_RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350};

    // ADTS as AudioFiles writes it: each raw data block starts with its data stream elements.
    private static Heard adts(byte[] file) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long samples = 0;
        int rate = AudioFiles.RATE;
        for (int at = 0; at + 7 <= file.length && (file[at] & 0xFF) == 0xFF && (file[at + 1] & 0xF6) == 0xF0; ) {
            boolean crc = (file[at + 1] & 1) == 0;
            rate = ADTS_RATES[Math.min(ADTS_RATES.length - 1, (file[at + 2] & 0x3C) >>> 2)];
            int length = ((file[at + 3] & 0x3) << 11) | ((file[at + 4] & 0xFF) << 3) | ((file[at + 5] & 0xE0) >>> 5);
            if (length < 7) break;
            int blocks = (file[at + 6] & 0x3) + 1;
            samples += 1024L * blocks;
            int block = at + 7 + (crc ? 2 : 0);
            if (blocks == 1 && block < Math.min(file.length, at + length)) {
                BitReader bits = new BitReader(file, block, Math.min(file.length, at + length));
                while (bits.left() >= 3) {
                    int id = bits.read(3);
                    if (id != 4) break; // this writer's data stream elements come first in the block
                    bits.read(4);
                    boolean align = bits.read(1) == 1;
                    int count = bits.read(8);
                    if (count == 255) count += bits.read(8);
                    if (align) bits.align();
                    for (int i = 0; i < count; i++) data.write(bits.read(8));
                }
            }
            at += length;
        }
        return new Heard(SpokenText.fromPayload(data.toByteArray()), (double) samples / rate);
    }

    private static final int[] MP3_KBPS_V1 = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    private static final int[] MP3_RATES_V1 = {44100, 48000, 32000};

    // Any MPEG audio Layer III stream; the ancillary bytes after each frame's side information gathered, which in
    // the emulator's frames (no main data) are the payload.
    private static Heard mp3(byte[] file, int start) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        double seconds = 0;
        for (int at = start; at + 4 <= file.length && (file[at] & 0xFF) == 0xFF && (file[at + 1] & 0xE0) == 0xE0; ) {
            int version = (file[at + 1] >>> 3) & 0x3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
            boolean mpeg1 = version == 3;
            int bitrateIndex = (file[at + 2] & 0xF0) >>> 4;
            int rateIndex = (file[at + 2] & 0x0C) >>> 2;
            if (bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3 || version == 1) break;
            int rate = MP3_RATES_V1[rateIndex] / (mpeg1 ? 1 : version == 2 ? 2 : 4);
            int kbps = mpeg1 ? MP3_KBPS_V1[bitrateIndex] : AudioFiles.MP3_KBPS[bitrateIndex];
            int padding = (file[at + 2] >>> 1) & 1;
            boolean mono = ((file[at + 3] & 0xC0) >>> 6) == 3;
            int length = (mpeg1 ? 144 : 72) * kbps * 1000 / rate + padding;
            int sideInfo = mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17);
            boolean crc = (file[at + 1] & 1) == 0;
            int side = at + 4 + (crc ? 2 : 0);
            int ancillary = side + sideInfo;
            if (!mpeg1 && mono && side + 3 <= file.length && file[side] == 0) {
                // A frame with its main data all its own (main_data_begin 0): the ancillary data follows it.
                int mainBits = ((file[side + 1] & 0x7F) << 5) | ((file[side + 2] & 0xF8) >>> 3);
                ancillary += (mainBits + 7) / 8;
            }
            int end = Math.min(file.length, at + length);
            if (ancillary < end) data.write(file, ancillary, end - ancillary);
            seconds += (mpeg1 ? 1152.0 : 576.0) / rate;
            at += length;
        }
        return new Heard(SpokenText.fromPayload(data.toByteArray()), seconds);
    }

    private static int id3Length(byte[] file) {
        return 10 + ((file[6] & 0x7F) << 21 | (file[7] & 0x7F) << 14 | (file[8] & 0x7F) << 7 | (file[9] & 0x7F));
    }

    private static boolean startsWith(byte[] file, String magic) {
        return startsWith(file, 0, magic);
    }

    private static boolean startsWith(byte[] file, int at, String magic) {
        return file.length >= at + magic.length() && ascii(file, at, magic.length()).equals(magic);
    }

    private static String ascii(byte[] file, int at, int length) {
        return new String(file, at, Math.min(length, file.length - at), StandardCharsets.ISO_8859_1);
    }

    /** Big-endian bits of a byte range. */
    private static final class BitReader {
        private final byte[] bytes;
        private final int end;
        private long position;

        BitReader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.end = end;
            this.position = start * 8L;
        }

        long left() {
            return end * 8L - position;
        }

        void skip(int bits) {
            position += bits;
        }

        void align() {
            position = (position + 7) & ~7L;
        }

        int read(int width) {
            if (left() < width) throw new IllegalStateException("past the frame");
            int value = 0;
            for (int i = 0; i < width; i++, position++) {
                value = (value << 1) | ((bytes[(int) (position >>> 3)] >>> (7 - (position & 7))) & 1);
            }
            return value;
        }
    }
}
