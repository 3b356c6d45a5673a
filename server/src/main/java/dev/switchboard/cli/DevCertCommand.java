package dev.switchboard.cli;

import dev.switchboard.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchboard dev-cert}: a self-signed certificate for development, made with the JDK's keytool: a PKCS#12
 * key store for localhost and 127.0.0.1 in the data directory, its password in a file beside it readable by its
 * owner only, and the certificate in PEM for clients to trust. It prints the settings that serve HTTPS and
 * {@code wss} with it. Never for production: browsers and clients trust it only when told to.
 */
public final class DevCertCommand {
    /** How keytool is given the password: through its environment, never on a command line others can read. */
    private static final String PASSWORD_VARIABLE = "SWITCHBOARD_DEV_CERT_PASSWORD";

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    public DevCertCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    public int run() throws Exception {
        Path dir = settings.server().dataDir().resolve("tls");
        Files.createDirectories(dir);
        Path keystore = dir.resolve("dev.p12");
        Path passwordFile = dir.resolve("dev.p12.password");
        Path certificate = dir.resolve("dev.pem");
        if (Files.exists(keystore)) {
            err.println(keystore + " exists already; delete the folder " + dir + " to make a new certificate.");
            return 1;
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        if (!keytool(password, keytool, "-genkeypair", "-alias", "switchboard", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "365", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass:env", PASSWORD_VARIABLE, "-keypass:env", PASSWORD_VARIABLE)
                || !keytool(password, keytool, "-exportcert", "-rfc", "-alias", "switchboard", "-keystore", keystore.toString(),
                "-storepass:env", PASSWORD_VARIABLE, "-file", certificate.toString())) {
            return 1;
        }
        writeOwnerOnly(passwordFile, password);
        if (!ownerOnly(keystore)) {
            err.println("This file system has no POSIX permissions: keep " + dir + " readable by this user only.");
        }
        out.println("A development certificate for localhost and 127.0.0.1 (valid one year):");
        out.println("  key store:   " + keystore);
        out.println("  certificate: " + certificate + " (give it to clients to trust: NODE_EXTRA_CA_CERTS, curl --cacert, …)");
        out.println("Serve HTTPS and wss with it:");
        out.println("  export SWITCHBOARD_TLS_KEYSTORE=" + keystore);
        out.println("  export SWITCHBOARD_TLS_KEYSTORE_PASSWORD=\"$(cat " + passwordFile + ")\"");
        return 0;
    }

    /** Creates the file readable by its owner only from the start (where the file system has POSIX permissions). */
    private static void writeOwnerOnly(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, content);
    }

    /** False when the file system cannot restrict the file to its owner. */
    private static boolean ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return true;
        } catch (UnsupportedOperationException notPosix) {
            return false;
        }
    }

    private boolean keytool(String password, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            err.println("keytool failed: " + output.strip());
            return false;
        }
        return true;
    }
}
