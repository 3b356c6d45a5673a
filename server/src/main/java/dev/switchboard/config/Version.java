package dev.switchboard.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The gateway's version, from the build. */
public final class Version {
    public static final String VALUE = read();

    private Version() {}

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/switchboard-version.properties")) {
            if (in == null) return "dev";
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
