package dev.switchboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through its chromedriver, with a fake microphone that plays a WAV file.
 * CI installs both ({@code apt-get install chromium chromium-driver}); nothing is downloaded at test time.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    public final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** A browser whose microphone plays {@code microphone} (a WAV file) in a loop. */
    public static HeadlessChromium start(Path microphone) {
        return start("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + microphone,
                // Screen capture picks the whole (virtual) screen without asking.
                "--auto-select-desktop-capture-source=Entire screen");
    }

    /** A browser that refuses every permission prompt: the microphone is denied, as a user who clicked Block. */
    public static HeadlessChromium denyingPermissions() {
        return start("--deny-permission-prompts", "--use-fake-device-for-media-stream");
    }

    /** A browser that accepts any server certificate: pages of a gateway serving HTTPS with a self-signed one. */
    public static HeadlessChromium acceptingSelfSignedCertificates() {
        return start("--ignore-certificate-errors");
    }

    private static HeadlessChromium start(String... mediaFlags) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("The browser tests need Debian's Chromium and its driver: "
                    + "apt-get install chromium chromium-driver (.ci/run does it).");
        }
        try {
            Path profile = Files.createTempDirectory("switchboard-chromium");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1360,1000",
                    "--autoplay-policy=no-user-gesture-required",
                    // Host candidates with real addresses, not mDNS names that a non-browser peer cannot resolve.
                    "--disable-features=WebRtcHideLocalIpsWithMdns");
            options.addArguments(mediaFlags);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            return new HeadlessChromium(new ChromeDriver(service, options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens one of the gateway's pages and signs in with {@code key}. */
    public void signIn(String url, String key) {
        driver.get(url);
        await("the sign-in form", Duration.ofSeconds(10), () -> driver.findElement(By.id("signin")).isDisplayed());
        type("signin-key", key);
        click("signin-submit");
        await("the signed-in page", Duration.ofSeconds(10), () -> driver.findElement(By.id("app")).isDisplayed());
    }

    public String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    public void type(String id, String text) {
        var field = ready(id);
        field.clear();
        field.sendKeys(text);
    }

    public void click(String id) {
        ready(id).click();
    }

    /**
     * The element, once it is shown and enabled: a page reveals a form (a {@code <details>} opening, a script
     * enabling a button) a moment after the click that asks for it, later still on a loaded machine.
     */
    private WebElement ready(String id) {
        await("#" + id + " shown and enabled", Duration.ofSeconds(10), () -> {
            var element = driver.findElement(By.id(id));
            return element.isDisplayed() && element.isEnabled();
        });
        return driver.findElement(By.id(id));
    }

    /** Waits for the page to reach a state; fails with {@code what} and the page's status line. */
    public void await(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The page did not reach: " + what + " (page text: '"
                        + driver.findElement(By.tagName("body")).getText().replace("\n", " | ") + "')");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** A condition read from a page that is changing: an element replaced or not there yet means "not yet". */
    private static boolean holds(BooleanSupplier condition) {
        try {
            return condition.getAsBoolean();
        } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException
                 | java.util.NoSuchElementException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // A temporary profile left behind is harmless.
            }
        }
    }

    /** A WAV file of {@code seconds} of silence, 48 kHz mono PCM16: a microphone in a quiet room. */
    public static Path silentWav(Path directory, int seconds) {
        return wav(directory.resolve("silence.wav"), seconds, 0);
    }

    /** A WAV file of {@code seconds} of a 440 Hz tone: a microphone that hears something. */
    public static Path toneWav(Path directory, int seconds) {
        return wav(directory.resolve("tone.wav"), seconds, 8000);
    }

    /** Writes the page as a PNG to {@code docs/screenshots/NAME.png} in the repository. */
    public void screenshot(String name) {
        try {
            Path directory = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("screenshots");
            Files.createDirectories(directory);
            Files.write(directory.resolve(name + ".png"), driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path wav(Path file, int seconds, int amplitude) {
        int samples = 48_000 * seconds;
        ByteBuffer wav = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        wav.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(48_000).putInt(96_000)
                .putShort((short) 2).putShort((short) 16);
        wav.put("data".getBytes()).putInt(samples * 2);
        for (int i = 0; i < samples; i++) wav.putShort((short) (amplitude * Math.sin(2 * Math.PI * 440 * i / 48_000.0)));
        try {
            Files.write(file, wav.array());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
