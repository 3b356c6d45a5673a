package dev.switchboard.emulator.images;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Deterministic pictures: a gradient and a few shapes chosen by a seed (a hash of the prompt and any input image),
 * over the input image when there is one. A partial image is the same picture at a coarser resolution, scaled up:
 * each later partial sharper, as a diffusion model's previews are. Encoded by the JDK's own writers (png, jpeg; the
 * JDK has no webp encoder).
 */
public final class ImagePainter {
    private ImagePainter() {}

    /** Whether the emulator can write this output format. */
    public static boolean canWrite(String format) {
        return format.equals("png") || format.equals("jpeg");
    }

    /**
     * The picture for this seed, {@code width}x{@code height}; {@code detail} 1.0 is the final image, less a coarser
     * preview of it.
     */
    public static BufferedImage paint(long seed, int width, int height, boolean transparent, BufferedImage under, double detail) {
        int w = Math.max(1, (int) Math.round(width * detail));
        int h = Math.max(1, (int) Math.round(height * detail));
        BufferedImage small = new BufferedImage(w, h, transparent ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        SplittableRandom random = new SplittableRandom(seed);
        if (under != null) {
            g.drawImage(under, 0, 0, w, h, null);
        } else if (!transparent) {
            g.setPaint(new GradientPaint(0, 0, color(random, 255), w, h, color(random, 255)));
            g.fillRect(0, 0, w, h);
        }
        int shapes = 3 + random.nextInt(4);
        for (int i = 0; i < shapes; i++) {
            g.setColor(color(random, 220));
            int sw = (int) (w * (0.15 + random.nextDouble() * 0.35));
            int sh = (int) (h * (0.15 + random.nextDouble() * 0.35));
            int x = random.nextInt(Math.max(1, w - sw));
            int y = random.nextInt(Math.max(1, h - sh));
            if (random.nextBoolean()) g.fillOval(x, y, sw, sh);
            else g.fillRect(x, y, sw, sh);
        }
        g.dispose();
        if (w == width && h == height) return small;
        BufferedImage full = new BufferedImage(width, height, small.getType());
        Graphics2D up = full.createGraphics();
        up.setComposite(AlphaComposite.Src);
        up.drawImage(small, 0, 0, width, height, null);
        up.dispose();
        return full;
    }

    /** The image as a file of the format ({@code png} or {@code jpeg}), at full quality. */
    public static byte[] encode(BufferedImage image, String format) {
        return encode(image, format, 100);
    }

    /** As {@link #encode(BufferedImage, String)}; a jpeg at this quality (0-100, OpenAI's {@code output_compression}). */
    public static byte[] encode(BufferedImage image, String format, int quality) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BufferedImage source = image;
            if (format.equals("jpeg") && image.getType() != BufferedImage.TYPE_INT_RGB) {
                source = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
                Graphics2D g = source.createGraphics();
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, image.getWidth(), image.getHeight());
                g.drawImage(image, 0, 0, null);
                g.dispose();
            }
            if (format.equals("jpeg")) {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(Math.max(0, Math.min(100, quality)) / 100f);
                try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
                    writer.setOutput(stream);
                    writer.write(null, new IIOImage(source, null, null), param);
                } finally {
                    writer.dispose();
                }
            } else if (!ImageIO.write(source, format, out)) {
                throw new IllegalArgumentException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Color color(SplittableRandom random, int alpha) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256), alpha);
    }
}
