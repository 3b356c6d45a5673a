package dev.switchboard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.auth.ApiKey;
import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.AuditLog;
import dev.switchboard.auth.CreatedKey;
import dev.switchboard.config.Settings;
import dev.switchboard.limits.KeyLimitStore;
import dev.switchboard.limits.KeyLimits;
import dev.switchboard.store.Database;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
                case "--owner" -> owner = i + 1 < args.length ? args[++i] : "";
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
        if (owner != null && owner.isBlank()) {
            // Without an owner a key gets one of its own; a forgotten value must not be taken for that choice.
            err.println("--owner needs a value: keys create --name my-app --owner team-a (leave it out for an owner of the key's own).");
            return 2;
        }
        CreatedKey created = keys.create(name, owner, admin);
        ApiKey key = created.key();
        audit.recordLocal("key.create", key.id(), Json.object().put("name", key.name())
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
        out.printf("%-22s %-20s %-36s %-10s %-6s %-17s %s%n", "ID", "NAME", "OWNER", "PREFIX", "ADMIN", "CREATED (UTC)", "STATUS");
        for (ApiKey key : all) {
            out.printf("%-22s %-20s %-36s %-10s %-6s %-17s %s%n", key.id(), key.name(), key.owner(), key.prefix(),
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
            audit.recordLocal("key.revoke", key.id(), Json.object().put("name", key.name()));
            out.println("Revoked " + key.id() + " (" + key.name() + "). Requests with it are refused from now on.");
            return 0;
        }).orElseGet(() -> {
            err.println("No key with id " + args[1] + ". See ./switchboard keys list.");
            return 1;
        });
    }

    /** The launcher's options for limits, and the fields of the admin API's limits they set. */
    private static final Map<String, String> LIMIT_OPTIONS = Map.of("--rpm", "requests_per_minute",
            "--streams", "concurrent_streams", "--realtime", "concurrent_realtime_sessions", "--tokens-day", "tokens_per_day",
            "--tokens-month", "tokens_per_month", "--models", "models", "--endpoints", "endpoints");

    /**
     * {@code keys limits KEY_ID} shows a key's limits; with options it sets them (others are kept): {@code --rpm},
     * {@code --streams}, {@code --realtime}, {@code --tokens-day}, {@code --tokens-month} (a number, or {@code none}),
     * {@code --models} and {@code --endpoints} (comma-separated, or {@code any}), {@code --clear} (no limits). The
     * options become the admin API's JSON, so both are checked alike.
     */
    private int limits(KeyLimitStore store, ApiKeys keys, String[] args) {
        if (args.length < 2 || keys.list().stream().noneMatch(key -> key.id().equals(args[1]))) {
            err.println(args.length < 2 ? "Name the key: keys limits KEY_ID [options] (see keys list)."
                    : "No key with id " + args[1] + ". See ./switchboard keys list.");
            return 2;
        }
        KeyLimits limits;
        try {
            ObjectNode wanted = store.get(args[1]).toJson();
            for (int i = 2; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--clear")) {
                    wanted = KeyLimits.NONE.toJson();
                    continue;
                }
                String field = LIMIT_OPTIONS.get(option);
                if (field == null) throw new IllegalArgumentException("Unknown option '" + option + "'.");
                if (i + 1 >= args.length) throw new IllegalArgumentException(option + " needs a value.");
                wanted.set(field, optionValue(field, args[++i]));
            }
            limits = KeyLimits.fromJson(wanted);
        } catch (IllegalArgumentException | GatewayException e) {
            err.println(e.getMessage() + " Options: --rpm N --streams N --realtime N --tokens-day N --tokens-month N "
                    + "--models a,b --endpoints /v1/x,/api/y --clear (N may be 'none'; lists may be 'any').");
            return 2;
        }
        if (args.length > 2) {
            store.put(args[1], limits);
            audit.recordLocal("key.limits", args[1], limits.toJson());
        }
        out.println("Limits of " + args[1] + ": " + Json.write(limits.toJson()));
        return 0;
    }

    /** An option's text as the JSON the admin API takes: a number or null; a list or null. */
    private static JsonNode optionValue(String field, String value) {
        boolean list = field.equals("models") || field.equals("endpoints");
        if (value.equals(list ? "any" : "none")) return Json.MAPPER.nullNode();
        if (list) {
            ArrayNode names = Json.MAPPER.createArrayNode();
            Arrays.stream(value.split(",")).map(String::trim).filter(name -> !name.isEmpty()).forEach(names::add);
            return names;
        }
        try {
            return Json.MAPPER.getNodeFactory().numberNode(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number (or 'none').");
        }
    }

    private int usage() {
        err.println("Usage: ./switchboard keys create --name NAME [--owner OWNER] [--admin] | keys list | keys revoke KEY_ID\n"
                + "       ./switchboard keys limits KEY_ID [--rpm N] [--streams N] [--realtime N] [--tokens-day N] [--tokens-month N]"
                + " [--models a,b] [--endpoints /v1/x,/api/y] [--clear]");
        return 2;
    }
}
