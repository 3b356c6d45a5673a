package dev.switchboard.realtime;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real PNG screenshots of a given size: noisy pixels, which PNG cannot compress. */
final class Screenshots {
    private Screenshots() {}

    /** A PNG of at least {@code minBytes}. */
    static byte[] png(int minBytes) {
        // Random RGB pixels compress to about three bytes each.
        int side = (int) Math.ceil(Math.sqrt(minBytes / 3.0)) + 16;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random noise = new Random(15);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) image.setRGB(x, y, noise.nextInt(1 << 24));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.size() < minBytes) throw new IllegalStateException("a PNG of only " + out.size() + " bytes");
        return out.toByteArray();
    }
}
