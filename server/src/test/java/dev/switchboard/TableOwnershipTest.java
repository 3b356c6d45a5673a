package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each table is read and written only by the package that owns it; the others call that package's Java API. The
 * SQL in the sources (their string literals) is scanned for the tables it names, and the tables are those the
 * migrations create, so a new table needs an owner here and a query of another package's table fails.
 */
class TableOwnershipTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/switchboard");
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    /** Which package owns each table. */
    static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("api_keys", "auth"), Map.entry("gateway_secrets", "auth"), Map.entry("admin_audit", "auth"),
            Map.entry("key_limits", "limits"),
            Map.entry("owned_objects", "ownership"), Map.entry("deferred_usage", "openai"),
            Map.entry("gateway_instances", "store"),
            Map.entry("request_log", "debug"), Map.entry("openai_debug_events", "debug"),
            Map.entry("requests_in_flight", "debug"),
            Map.entry("assistants", "assistants"), Map.entry("threads", "assistants"),
            Map.entry("thread_messages", "assistants"), Map.entry("runs", "assistants"), Map.entry("run_steps", "assistants"),
            Map.entry("streams", "assistants"), Map.entry("stream_events", "assistants"),
            Map.entry("agent_sessions", "agent"), Map.entry("agent_runs", "agent"),
            Map.entry("documents", "documents"),
            // Voice sessions and ChatKit sessions share it; chat records its rows through realtime.ChatKitRecords.
            Map.entry("chatkit_sessions", "realtime"), Map.entry("realtime_token_uses", "realtime"),
            Map.entry("eval_runs", "eval"), Map.entry("eval_results", "eval"));

    private static final Pattern CREATE = Pattern.compile("(?i)create table (?:if not exists )?([a-z_]+)");
    private static final Pattern LITERAL = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    private static final Pattern NAMED = Pattern.compile("(?i)\\b(?:from|join|into|update|table)\\s+([a-z_]+)\\b");

    @Test
    void everyTableHasAnOwner() throws IOException {
        assertThat(OWNERS.keySet()).containsExactlyInAnyOrderElementsOf(migratedTables());
    }

    @Test
    void noPackageQueriesAnotherPackagesTable() throws IOException {
        List<String> trespasses = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                String pkg = relative.getNameCount() == 1 ? "" : relative.getName(0).toString();
                Matcher literal = LITERAL.matcher(Files.readString(file));
                while (literal.find()) {
                    Matcher named = NAMED.matcher(literal.group());
                    while (named.find()) {
                        String owner = OWNERS.get(named.group(1).toLowerCase());
                        if (owner != null && !owner.equals(pkg)) {
                            trespasses.add(relative + " names " + named.group(1) + " (" + owner + "'s)");
                        }
                    }
                }
            }
        }
        assertThat(trespasses).as("SQL naming another package's table").isEmpty();
    }

    private static TreeSet<String> migratedTables() throws IOException {
        TreeSet<String> tables = new TreeSet<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            for (Path file : files.toList()) {
                Matcher m = CREATE.matcher(Files.readString(file));
                while (m.find()) tables.add(m.group(1).toLowerCase());
            }
        }
        return tables;
    }
}
