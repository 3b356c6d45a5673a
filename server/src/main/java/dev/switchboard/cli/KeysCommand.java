package dev.switchboard.cli;

import dev.switchboard.auth.ApiKey;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.config.Settings;
import dev.switchboard.limits.KeyLimitStore;
import dev.switchboard.limits.KeyLimits;
import dev.switchboard.store.Database;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code switchboard keys create|list|revoke|limits}: manages gateway keys directly in the database, so it works whether
 * or not the gateway is running (with the embedded database, it attaches to the running one).
 */
public final class KeysCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private AuditLog audit;

    public KeysCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) throws Exception {
        if (args.length == 0) return usage();
        try (Database database = Database.connect(settings.database(), settings.server().dataDir())) {
            database.migrate();
            ApiKeys keys = new ApiKeys(database.jdbi());
            audit = new AuditLog(database.jdbi());
            return switch (args[0]) {
                case "create" -> create(keys, args);
                case "list" -> list(keys);
                case "revoke" -> revoke(keys, args);
                case "limits" -> limits(new KeyLimitStore(database.jdbi()), keys, args);
                default -> usage();
            };
        }
    }

    private int create(ApiKeys keys, String[] args) {
        String name = null;
        String owner = null;
        boolean admin = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--name" -> name = i + 1 < args.length ? args[++i] : null;
                case "--owner" -> owner = i + 1 < args.length ? args[++i] : null;
                case "--admin" -> admin = true;
                default -> {
                    err.println("Unknown option '" + args[i] + "'.");
                    return usage();
                }
            }
        }
        if (name == null || name.isBlank()) {
            err.println("A key needs a name: keys create --name my-app");
            return 2;
        }
        CreatedKey created = keys.create(name, owner, admin);
        ApiKey key = created.key();
        audit.recordLocal("key.create", key.id(), dev.switchboard.web.Json.object().put("name", key.name())
                .put("owner", key.owner()).put("admin", key.admin()));
        out.println("Created " + (key.admin() ? "admin " : "") + "key " + key.id() + " (name " + key.name()
                + ", owner " + key.owner() + "). The key, shown only this once:");
        out.println(created.secret());
        return 0;
    }

    private int list(ApiKeys keys) {
        List<ApiKey> all = keys.list();
        if (all.isEmpty()) {
            out.println("No keys yet. Create one with: ./switchboard keys create --name my-app");
            return 0;
        }
        out.printf("%-22s %-20s %-16s %-10s %-6s %-17s %s%n", "ID", "NAME", "OWNER", "PREFIX", "ADMIN", "CREATED (UTC)", "STATUS");
        for (ApiKey key : all) {
            out.printf("%-22s %-20s %-16s %-10s %-6s %-17s %s%n", key.id(), key.name(), key.owner(), key.prefix(),
                    key.admin() ? "yes" : "no", TIME.format(key.createdAt()),
                    key.active() ? "active" : "revoked " + TIME.format(key.revokedAt()));
        }
        return 0;
    }

    private int revoke(ApiKeys keys, String[] args) {
        if (args.length < 2) {
            err.println("Name the key to revoke: keys revoke KEY_ID (see keys list).");
            return 2;
        }
        return keys.revoke(args[1]).map(key -> {
            audit.recordLocal("key.revoke", key.id(), dev.switchboard.web.Json.object().put("name", key.name()));
            out.println("Revoked " + key.id() + " (" + key.name() + "). Requests with it are refused from now on.");
            return 0;
        }).orElseGet(() -> {
            err.println("No key with id " + args[1] + ". See ./switchboard keys list.");
            return 1;
        });
    }

    /**
     * {@code keys limits KEY_ID} shows a key's limits; with options it sets them (others are kept): {@code --rpm},
     * {@code --streams}, {@code --realtime}, {@code --tokens-day}, {@code --tokens-month} (a number, or {@code none}),
     * {@code --models} and {@code --endpoints} (comma-separated, or {@code any}), {@code --clear} (no limits).
     */
    private int limits(KeyLimitStore store, ApiKeys keys, String[] args) {
        if (args.length < 2 || keys.list().stream().noneMatch(key -> key.id().equals(args[1]))) {
            err.println(args.length < 2 ? "Name the key: keys limits KEY_ID [options] (see keys list)."
                    : "No key with id " + args[1] + ". See ./switchboard keys list.");
            return 2;
        }
        KeyLimits limits = store.get(args[1]);
        try {
            for (int i = 2; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--clear")) {
                    limits = KeyLimits.NONE;
                    continue;
                }
                if (i + 1 >= args.length) throw new IllegalArgumentException(option + " needs a value.");
                String value = args[++i];
                limits = switch (option) {
                    case "--rpm" -> new KeyLimits(intOrNone(value), limits.concurrentStreams(), limits.concurrentRealtime(),
                            limits.tokensPerDay(), limits.tokensPerMonth(), limits.models(), limits.endpoints());
                    case "--streams" -> new KeyLimits(limits.requestsPerMinute(), intOrNone(value), limits.concurrentRealtime(),
                            limits.tokensPerDay(), limits.tokensPerMonth(), limits.models(), limits.endpoints());
                    case "--realtime" -> new KeyLimits(limits.requestsPerMinute(), limits.concurrentStreams(), intOrNone(value),
                            limits.tokensPerDay(), limits.tokensPerMonth(), limits.models(), limits.endpoints());
                    case "--tokens-day" -> new KeyLimits(limits.requestsPerMinute(), limits.concurrentStreams(),
                            limits.concurrentRealtime(), longOrNone(value), limits.tokensPerMonth(), limits.models(), limits.endpoints());
                    case "--tokens-month" -> new KeyLimits(limits.requestsPerMinute(), limits.concurrentStreams(),
                            limits.concurrentRealtime(), limits.tokensPerDay(), longOrNone(value), limits.models(), limits.endpoints());
                    case "--models" -> new KeyLimits(limits.requestsPerMinute(), limits.concurrentStreams(), limits.concurrentRealtime(),
                            limits.tokensPerDay(), limits.tokensPerMonth(), listOrAny(value), limits.endpoints());
                    case "--endpoints" -> new KeyLimits(limits.requestsPerMinute(), limits.concurrentStreams(),
                            limits.concurrentRealtime(), limits.tokensPerDay(), limits.tokensPerMonth(), limits.models(), listOrAny(value));
                    default -> throw new IllegalArgumentException("Unknown option '" + option + "'.");
                };
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + " Options: --rpm N --streams N --realtime N --tokens-day N --tokens-month N "
                    + "--models a,b --endpoints /v1/x,/api/y --clear (N may be 'none'; lists may be 'any').");
            return 2;
        }
        if (args.length > 2) {
            store.put(args[1], limits);
            audit.recordLocal("key.limits", args[1], limits.toJson());
        }
        out.println("Limits of " + args[1] + ": " + dev.switchboard.web.Json.write(limits.toJson()));
        return 0;
    }

    private static Integer intOrNone(String value) {
        Long parsed = longOrNone(value);
        return parsed == null ? null : Math.toIntExact(parsed);
    }

    private static Long longOrNone(String value) {
        if (value.equals("none")) return null;
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) return parsed;
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new IllegalArgumentException("'" + value + "' is not a whole number (or 'none').");
    }

    private static List<String> listOrAny(String value) {
        if (value.equals("any")) return null;
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private int usage() {
        err.println("Usage: ./switchboard keys create --name NAME [--owner OWNER] [--admin] | keys list | keys revoke KEY_ID\n"
                + "       ./switchboard keys limits KEY_ID [--rpm N] [--streams N] [--realtime N] [--tokens-day N] [--tokens-month N]"
                + " [--models a,b] [--endpoints /v1/x,/api/y] [--clear]");
        return 2;
    }
}
