package dev.switchboard;

import java.io.PrintStream;
import java.util.Map;

/** Runs launcher commands in the test's JVM, from tests in other packages. */
public final class MainAccess {
    private MainAccess() {}

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        return Main.run(args, env, out, err);
    }
}
