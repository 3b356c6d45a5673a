package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md's package table says, for each package, which of the project's packages it imports: that
 * column is checked against the code (its imports and fully qualified names, comments left out), so the document
 * cannot drift. A failure prints the column as the code has it.
 */
class ArchitectureDocTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/switchboard");
    private static final Path DOC = Path.of("../docs/architecture.md");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.switchboard\\.([a-z]+)\\.");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\|.*\\| ([^|]*) \\|$");
    private static final Pattern NAME = Pattern.compile("`([a-z]+)`");
    /** Only the root package may import everything; the emulator is a module of its own. */
    private static final Set<String> NOT_LISTED = Set.of("dev.switchboard");

    @Test
    void thePackageTableSaysWhatEachPackageImports() throws IOException {
        Map<String, Set<String>> real = realImports();
        Map<String, Set<String>> documented = documentedImports();
        assertThat(documented.keySet()).as("packages in the table").containsExactlyInAnyOrderElementsOf(real.keySet());
        String expected = real.entrySet().stream().map(e -> e.getKey() + ": " + column(e.getValue()))
                .collect(Collectors.joining("\n"));
        assertThat(documented).as("the table's 'May import' column; as the code has it:\n" + expected).isEqualTo(real);
    }

    @Test
    void foundationsImportNoCapability() throws IOException {
        Set<String> foundations = Set.of("config", "store", "web", "auth", "ownership", "upstream", "observe", "stream",
                "debug", "metrics", "limits", "pipeline");
        Set<String> capabilities = Set.of("openai", "assistants", "agent", "documents", "mcp", "realtime", "chat", "eval",
                "admin", "cli", "modules");
        realImports().forEach((pkg, imports) -> {
            if (foundations.contains(pkg)) assertThat(imports).as(pkg + " imports").doesNotContainAnyElementsOf(capabilities);
        });
    }

    static String column(Set<String> imports) {
        return imports.isEmpty() ? "nothing of ours" : imports.stream().map(p -> "`" + p + "`").collect(Collectors.joining(", "));
    }

    private static Map<String, Set<String>> realImports() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() == 1) continue;
                String pkg = relative.getName(0).toString();
                Set<String> used = imports.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(withoutComments(Files.readString(file)));
                while (m.find()) if (!m.group(1).equals(pkg)) used.add(m.group(1));
            }
        }
        return imports;
    }

    private static Map<String, Set<String>> documentedImports() throws IOException {
        Map<String, Set<String>> documented = new TreeMap<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("## Packages (server)")) inTable = true;
            else if (line.startsWith("## ")) inTable = false;
            if (!inTable) continue;
            Matcher row = ROW.matcher(line);
            if (!row.matches() || NOT_LISTED.contains(row.group(1))) continue;
            Set<String> names = new TreeSet<>();
            Matcher name = NAME.matcher(row.group(2));
            while (name.find()) names.add(name.group(1));
            documented.put(row.group(1), names);
        }
        return documented;
    }

    /** The code without its comments: a name in a Javadoc link is not an import. */
    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
    }
}
