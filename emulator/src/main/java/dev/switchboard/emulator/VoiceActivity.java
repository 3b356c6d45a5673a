package dev.switchboard.emulator;

/**
 * Server voice activity detection from the audio's energy: 24 kHz mono PCM16, as the Realtime API takes it.
 * Speech starts when a 20 ms frame is loud enough and stops after {@link #SILENCE_MS} of quiet frames, so a test
 * controls turns with the samples it sends (a tone, then zeros).
 */
public final class VoiceActivity {
    public static final int SAMPLE_RATE = 24_000;
    private static final int FRAME_SAMPLES = SAMPLE_RATE / 50;
    private static final double SPEECH_RMS = 500;
    public static final int SILENCE_MS = 200;

    /** What one appended chunk changed. */
    public enum Change { NONE, SPEECH_STARTED, SPEECH_STOPPED }

    private long samplesSeen;
    private boolean speaking;
    private long speechStartMs;
    private long lastLoudMs;
    private long frameSamples;
    private double frameEnergy;

    /** Feeds little-endian PCM16 bytes; reports the first change they cause (one chunk rarely holds two). */
    public Change feed(byte[] pcm16) {
        Change change = Change.NONE;
        for (int i = 0; i + 1 < pcm16.length; i += 2) {
            short sample = (short) ((pcm16[i] & 0xff) | (pcm16[i + 1] << 8));
            frameEnergy += (double) sample * sample;
            frameSamples++;
            samplesSeen++;
            if (frameSamples == FRAME_SAMPLES) {
                Change frame = endFrame(Math.sqrt(frameEnergy / frameSamples) >= SPEECH_RMS);
                if (change == Change.NONE) change = frame;
                frameSamples = 0;
                frameEnergy = 0;
            }
        }
        return change;
    }

    private Change endFrame(boolean loud) {
        long nowMs = samplesSeen * 1000 / SAMPLE_RATE;
        if (loud) {
            lastLoudMs = nowMs;
            if (!speaking) {
                speaking = true;
                speechStartMs = Math.max(0, nowMs - 20);
                return Change.SPEECH_STARTED;
            }
        } else if (speaking && nowMs - lastLoudMs >= SILENCE_MS) {
            speaking = false;
            return Change.SPEECH_STOPPED;
        }
        return Change.NONE;
    }

    public long speechStartMs() {
        return speechStartMs;
    }

    /** Where speech ended: the end of the last loud frame. */
    public long speechEndMs() {
        return lastLoudMs;
    }

    long audioMs() {
        return samplesSeen * 1000 / SAMPLE_RATE;
    }
}
