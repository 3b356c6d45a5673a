package dev.switchboard.emulator.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Speech in every {@code response_format} OpenAI offers, written by each format's specification with no encoder
 * library: 24 kHz mono PCM16 as {@code wav}, raw {@code pcm} and lossless {@code flac} (verbatim subframes); the
 * lossy formats in frames a standard decoder accepts: {@code mp3} (MPEG-2 Layer III) and {@code aac} (ADTS, AAC-LC)
 * render each loud stretch as a single spectral line near 220 Hz and silence as empty frames; {@code opus} (Ogg Opus,
 * 20 ms CELT frames) is silence of the same duration, since a CELT tone needs a real encoder.
 *
 * <p>Every format carries the spoken text ({@link SpokenText}) where that format keeps data a decoder passes over:
 * the lossless ones in the samples themselves, mp3 in each frame's ancillary data, aac in a data stream element of
 * each frame, opus in a comment of its OpusTags header. {@link SpeechReader} reads it back.
 */
final class AudioFiles {
    static final int RATE = 24_000;

    private AudioFiles() {}

    static String contentType(String format) {
        return switch (format) {
            case "mp3" -> "audio/mpeg";
            case "opus" -> "audio/ogg";
            case "aac" -> "audio/aac";
            case "flac" -> "audio/flac";
            case "wav" -> "audio/wav";
            case "pcm" -> "audio/pcm";
            default -> null;
        };
    }

    /** The samples (which already carry the payload, see {@link SpokenText#embed}) in the format, with the payload. */
    static byte[] encode(String format, byte[] pcm, byte[] payload) {
        int samples = pcm.length / 2;
        return switch (format) {
            case "mp3" -> mp3(pcm, payload);
            case "opus" -> opus(samples, payload);
            case "aac" -> aac(pcm, payload);
            case "flac" -> flac(pcm);
            case "wav" -> wav(pcm);
            case "pcm" -> pcm;
            default -> throw new IllegalArgumentException(format);
        };
    }

    static byte[] wav(byte[] pcm) {
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put(ascii("RIFF")).putInt(36 + pcm.length).put(ascii("WAVE"))
                .put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(RATE).putInt(RATE * 2).putShort((short) 2).putShort((short) 16)
                .put(ascii("data")).putInt(pcm.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(44 + pcm.length);
        out.writeBytes(header.array());
        out.writeBytes(pcm);
        return out.toByteArray();
    }

    // MP3: MPEG-2 Layer III at 24 kHz has one granule of 576 samples a frame of 72 * bitrate / 24000 bytes: the
    // 4-byte header (no CRC, mono), 9 bytes of side information, the granule's main data (none at all for a quiet
    // granule, one byte for a loud one: a single spectral line near 220 Hz), and the rest ancillary data, which
    // decoders pass over: the payload, spread over the frames, at the lowest bitrate it fits. No frame borrows from
    // the bit reservoir (main_data_begin 0), so each frame's bytes are its own.
    static final int MP3_SAMPLES_PER_FRAME = 576;
    static final int MP3_SIDE_INFO = 9;
    static final int MP3_OVERHEAD = 4 + MP3_SIDE_INFO + 1;
    static final int[] MP3_KBPS = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
    /** Sets the tone's loudness: each step of 4 doubles it. */
    static final int MP3_TONE_GAIN = 198;
    /**
     * The loud granule's side information: part2_3_length 8 bits, big_values 6 pairs, the gain, no scale factors,
     * long blocks, Huffman table 1 in every region, region counts 7 and 0.
     */
    private static final byte[] MP3_TONE_SIDE_INFO = toneSideInfo();
    /** Its main data: five (0,0) pairs of table 1 ("1" each), then (1,0) ("01") and a positive sign ("0"): line 10. */
    private static final byte MP3_TONE_MAIN_DATA = (byte) 0b1111_1010;

    private static byte[] toneSideInfo() {
        BitWriter bits = new BitWriter();
        bits.bits(0, 8).bits(0, 1); // main_data_begin, private bit
        bits.bits(8, 12).bits(6, 9).bits(MP3_TONE_GAIN, 8).bits(0, 9).bits(0, 1); // part2_3_length .. window switching
        bits.bits(1, 5).bits(1, 5).bits(1, 5).bits(7, 4).bits(0, 3).bits(0, 1).bits(0, 1);
        return bits.bytes();
    }

    static byte[] mp3(byte[] pcm, byte[] payload) {
        int samples = pcm.length / 2;
        int frames = Math.max(1, ceilDiv(samples, MP3_SAMPLES_PER_FRAME));
        int perFrame = ceilDiv(payload.length, frames);
        int index = 1;
        while (index < MP3_KBPS.length - 1 && mp3FrameBytes(index) - MP3_OVERHEAD < perFrame) index++;
        int size = mp3FrameBytes(index);
        ByteArrayOutputStream out = new ByteArrayOutputStream(frames * size);
        int sent = 0;
        for (int i = 0; i < frames; i++) {
            byte[] frame = new byte[size];
            // 11 sync bits, version MPEG-2 (10), layer III (01), no CRC (1) | bitrate index, 24 kHz (01), no
            // padding, private 0 | mono (11), mode extension 0, not copyrighted, original, no emphasis.
            frame[0] = (byte) 0xFF;
            frame[1] = (byte) 0xF3;
            frame[2] = (byte) ((index << 4) | 0x04);
            frame[3] = (byte) 0xC4;
            int data = 4 + MP3_SIDE_INFO;
            if (loud(pcm, i * MP3_SAMPLES_PER_FRAME, MP3_SAMPLES_PER_FRAME, 0.9)) {
                System.arraycopy(MP3_TONE_SIDE_INFO, 0, frame, 4, MP3_SIDE_INFO);
                frame[data++] = MP3_TONE_MAIN_DATA;
            }
            int count = Math.min(size - data, payload.length - sent);
            if (count > 0) System.arraycopy(payload, sent, frame, data, count);
            sent += Math.max(0, count);
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** Whether more than this fraction of these samples is sound rather than silence. */
    static boolean loud(byte[] pcm, int first, int count, double fraction) {
        int loud = 0;
        for (int i = first; i < first + count && 2 * i + 1 < pcm.length; i++) {
            short sample = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8));
            if (Math.abs(sample) > 1) loud++;
        }
        return loud > count * fraction;
    }

    static int mp3FrameBytes(int bitrateIndex) {
        return 72 * MP3_KBPS[bitrateIndex] * 1000 / RATE;
    }

    // AAC: ADTS frames of 1024 samples, each a 7-byte header and one raw data block: a data stream element (ID_DSE,
    // which decoders skip) with the frame's share of the payload, at most AAC_DATA_BYTES; a single channel element,
    // either silent (max_sfb 0: no spectral data) or, for a loud frame, one spectral line near 220 Hz; then END.
    private static final int AAC_SAMPLES_PER_FRAME = 1024;
    static final int AAC_DATA_BYTES = 254;
    /** Sets the tone's loudness: each step of 4 doubles it. */
    static final int AAC_TONE_GAIN = 188;

    private static void silentChannel(BitWriter bits) {
        // SCE, tag 0 | global_gain | ics_info: reserved, ONLY_LONG, sine window, max_sfb 0, no prediction |
        // no pulse, TNS or gain control data.
        bits.bits(0, 3).bits(0, 4).bits(0, 8).bits(0, 1).bits(0, 2).bits(0, 1).bits(0, 6).bits(0, 1).bits(0, 3);
    }

    private static void toneChannel(BitWriter bits) {
        // At 24 kHz the long window's bands 0-4 are lines 0-19, 11.7 Hz a line: line 18 is 217 Hz.
        bits.bits(0, 3).bits(0, 4).bits(AAC_TONE_GAIN, 8).bits(0, 1).bits(0, 2).bits(0, 1).bits(5, 6).bits(0, 1);
        bits.bits(1, 4).bits(5, 5); // one section: Huffman codebook 1 (signed quads) for the 5 bands
        for (int band = 0; band < 5; band++) bits.bits(0, 1); // scale factor difference 0 ("0"): each band at the gain
        bits.bits(0, 3); // no pulse, TNS or gain control data
        for (int quad = 0; quad < 4; quad++) bits.bits(0, 1); // (0,0,0,0): codeword "0"
        bits.bits(0b10110, 5); // (0,0,1,0): codebook 1 index 43
    }

    static byte[] aac(byte[] pcm, byte[] payload) {
        int samples = pcm.length / 2;
        int frames = Math.max(1, ceilDiv(samples, AAC_SAMPLES_PER_FRAME));
        int perFrame = Math.min(AAC_DATA_BYTES, ceilDiv(payload.length, frames));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int sent = 0;
        for (int i = 0; i < frames; i++) {
            int count = Math.min(perFrame, payload.length - sent);
            BitWriter bits = new BitWriter();
            if (count > 0) {
                bits.bits(4, 3).bits(0, 4).bits(0, 1).bits(count, 8); // DSE, tag 0, not byte-aligned, count
                for (int b = 0; b < count; b++) bits.bits(payload[sent + b] & 0xFF, 8);
                sent += count;
            }
            if (loud(pcm, i * AAC_SAMPLES_PER_FRAME, AAC_SAMPLES_PER_FRAME, 0.5)) toneChannel(bits);
            else silentChannel(bits);
            bits.bits(7, 3); // END
            byte[] block = bits.bytes();
            int length = 7 + block.length;
            // sync 0xFFF, MPEG-4, layer 0, no CRC | profile LC (1), 24 kHz (index 6), private 0, mono (channel config 1),
            // frame length (13 bits), buffer fullness 0x7FF (variable rate), one raw data block.
            out.write(0xFF);
            out.write(0xF1);
            out.write((1 << 6) | (6 << 2) | (1 >> 2));
            out.write(((1 & 3) << 6) | ((length >> 11) & 0x3));
            out.write((length >> 3) & 0xFF);
            out.write(((length & 7) << 5) | 0x1F);
            out.write(0xFC);
            out.writeBytes(block);
        }
        return out.toByteArray();
    }

    // Opus: an Ogg stream of OpusHead, OpusTags, then 20 ms packets of a CELT fullband silence frame; Ogg Opus
    // counts granules at 48 kHz whatever the input rate, after a pre-skip of 312 samples.
    private static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};
    private static final int OPUS_GRANULES_PER_PACKET = 960;
    private static final int OPUS_PRE_SKIP = 312;
    private static final int OPUS_PACKETS_PER_PAGE = 50;

    /** The OpusTags comment that carries the payload, base64. */
    static final String OPUS_COMMENT = "SWITCHBOARD_SPEECH=";

    static byte[] opus(int samples, byte[] payload) {
        long granules48k = (long) samples * 48_000 / RATE;
        int packets = (int) Math.max(1, (granules48k + OPUS_GRANULES_PER_PACKET - 1) / OPUS_GRANULES_PER_PACKET);
        OggWriter ogg = new OggWriter(0x53424F41);
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        head.put(ascii("OpusHead")).put((byte) 1).put((byte) 1).putShort((short) OPUS_PRE_SKIP).putInt(RATE)
                .putShort((short) 0).put((byte) 0);
        ogg.page(new byte[][] {head.array()}, 0, 0x02);
        byte[] vendor = ascii("switchboard-emulator");
        byte[] comment = ascii(OPUS_COMMENT + java.util.Base64.getEncoder().encodeToString(payload));
        ByteBuffer tags = ByteBuffer.allocate(8 + 4 + vendor.length + 4 + 4 + comment.length).order(ByteOrder.LITTLE_ENDIAN);
        tags.put(ascii("OpusTags")).putInt(vendor.length).put(vendor).putInt(1).putInt(comment.length).put(comment);
        ogg.page(new byte[][] {tags.array()}, 0, 0);
        for (int sent = 0; sent < packets; ) {
            int count = Math.min(OPUS_PACKETS_PER_PAGE, packets - sent);
            byte[][] page = new byte[count][];
            java.util.Arrays.fill(page, OPUS_SILENCE);
            sent += count;
            boolean last = sent == packets;
            // The last page's granule position ends the stream at the exact length, trimming the final packet.
            long granule = OPUS_PRE_SKIP + (last ? granules48k : (long) sent * OPUS_GRANULES_PER_PACKET);
            ogg.page(page, granule, last ? 0x04 : 0);
        }
        return ogg.bytes();
    }

    /** Ogg pages (RFC 3533) of one logical stream, each page under 255 lacing values. */
    private static final class OggWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int serial;
        private int sequence;

        OggWriter(int serial) {
            this.serial = serial;
        }

        void page(byte[][] packets, long granule, int flags) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] packet : packets) body.writeBytes(packet);
            ByteArrayOutputStream lacing = new ByteArrayOutputStream();
            for (byte[] packet : packets) {
                for (int left = packet.length; ; left -= 255) {
                    lacing.write(Math.min(255, left));
                    if (left < 255) break;
                }
            }
            if (lacing.size() > 255) throw new IllegalArgumentException("an Ogg page holds at most 255 lacing values");
            ByteBuffer header = ByteBuffer.allocate(27 + lacing.size()).order(ByteOrder.LITTLE_ENDIAN);
            header.put(ascii("OggS")).put((byte) 0).put((byte) flags).putLong(granule).putInt(serial).putInt(sequence++)
                    .putInt(0).put((byte) lacing.size()).put(lacing.toByteArray());
            byte[] page = new byte[header.capacity() + body.size()];
            System.arraycopy(header.array(), 0, page, 0, header.capacity());
            System.arraycopy(body.toByteArray(), 0, page, header.capacity(), body.size());
            int crc = oggCrc(page);
            page[22] = (byte) crc;
            page[23] = (byte) (crc >>> 8);
            page[24] = (byte) (crc >>> 16);
            page[25] = (byte) (crc >>> 24);
            out.writeBytes(page);
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private static int oggCrc(byte[] data) {
            int crc = 0;
            for (byte b : data) {
                crc ^= (b & 0xFF) << 24;
                for (int i = 0; i < 8; i++) crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
            return crc;
        }
    }

    // FLAC: the fLaC marker, a STREAMINFO block, then frames of up to 4096 samples with one verbatim subframe each.
    private static final int FLAC_BLOCK = 4096;

    static byte[] flac(byte[] pcm) {
        int samples = pcm.length / 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream(pcm.length + 1024);
        out.writeBytes(ascii("fLaC"));
        BitWriter info = new BitWriter();
        info.bits(1, 1).bits(0, 7).bits(34, 24); // last metadata block, STREAMINFO, 34 bytes
        info.bits(FLAC_BLOCK, 16).bits(FLAC_BLOCK, 16).bits(0, 24).bits(0, 24);
        info.bits(RATE, 20).bits(0, 3).bits(15, 5).bits(0, 4).bits(samples & 0xFFFFFFFFL, 32);
        for (int i = 0; i < 16; i++) info.bits(0, 8); // MD5 unknown
        out.writeBytes(info.bytes());
        int frame = 0;
        for (int start = 0; start < samples; start += FLAC_BLOCK, frame++) {
            int size = Math.min(FLAC_BLOCK, samples - start);
            BitWriter bits = new BitWriter();
            bits.bits(0b11111111111110, 14).bits(0, 1).bits(0, 1); // sync, reserved, fixed block size
            bits.bits(0b0111, 4).bits(0b0111, 4); // block size as 16 bits at the end of the header; 24 kHz
            bits.bits(0, 4).bits(0b100, 3).bits(0, 1); // mono, 16 bits a sample, reserved
            utf8Number(bits, frame);
            bits.bits(size - 1, 16);
            bits.bits(crc8(bits.bytes()), 8);
            bits.bits(0, 1).bits(0b000001, 6).bits(0, 1); // verbatim subframe, no wasted bits
            for (int i = 0; i < size; i++) {
                int at = 2 * (start + i);
                bits.bits(((pcm[at] & 0xFF) | (pcm[at + 1] << 8)) & 0xFFFF, 16);
            }
            byte[] body = bits.bytes();
            out.writeBytes(body);
            int crc = crc16(body);
            out.write(crc >>> 8);
            out.write(crc & 0xFF);
        }
        return out.toByteArray();
    }

    private static void utf8Number(BitWriter bits, int value) {
        if (value < 0x80) bits.bits(value, 8);
        else if (value < 0x800) bits.bits(0xC0 | (value >>> 6), 8).bits(0x80 | (value & 0x3F), 8);
        else bits.bits(0xE0 | (value >>> 12), 8).bits(0x80 | ((value >>> 6) & 0x3F), 8).bits(0x80 | (value & 0x3F), 8);
    }

    private static int crc8(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int i = 0; i < 8; i++) crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
        }
        return crc;
    }

    private static int crc16(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc ^= (b & 0xFF) << 8;
            for (int i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc;
    }

    /** Big-endian bits, most significant first, padded with zeros to a whole byte. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long buffer;
        private int count;

        BitWriter bits(long value, int width) {
            for (int i = width - 1; i >= 0; i--) {
                buffer = (buffer << 1) | ((value >>> i) & 1);
                if (++count == 8) {
                    out.write((int) buffer);
                    buffer = 0;
                    count = 0;
                }
            }
            return this;
        }

        byte[] bytes() {
            if (count == 0) return out.toByteArray();
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            copy.write((int) (buffer << (8 - count)));
            return copy.toByteArray();
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
