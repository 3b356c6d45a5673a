package dev.switchboard.store;

import java.sql.Types;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/**
 * Text as PostgreSQL keeps it. A {@code text} or {@code jsonb} value cannot hold U+0000 (PostgreSQL refuses the
 * whole statement), yet a client, a model or a fetched document can produce one. Every string the gateway writes
 * goes through {@link #text}: through Jdbi by the argument factory registered on the gateway's {@code Jdbi}, and
 * the plain JDBC batches of the request log by calling it. NUL becomes U+FFFD, the Unicode replacement character,
 * so what was sent stays readable and the row is written. JSON text is made safe where it is written
 * ({@code Json.write} never writes the escape of U+0000).
 */
public final class PgText {
    /** What a NUL becomes. */
    public static final char REPLACEMENT = '\uFFFD';

    private PgText() {}

    /** {@code value} with every U+0000 replaced; the same instance when it has none (the usual case). */
    public static String text(String value) {
        return value == null || value.indexOf('\0') < 0 ? value : value.replace('\0', REPLACEMENT);
    }

    /** Binds every Jdbi string argument through {@link #text}. */
    static final class Arguments extends AbstractArgumentFactory<String> {
        Arguments() {
            super(Types.VARCHAR);
        }

        @Override
        protected Argument build(String value, ConfigRegistry config) {
            String safe = text(value);
            return (position, statement, context) -> statement.setString(position, safe);
        }
    }
}
