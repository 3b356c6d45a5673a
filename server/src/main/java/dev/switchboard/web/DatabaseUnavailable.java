package dev.switchboard.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells a failure to reach PostgreSQL apart from a bug. Every route that reads or writes the database fails the same
 * way while it is down (the pool's timeout, {@code FailFastConnections}' refusal, a connection cut by a server
 * shutting down), so the error mapper answers all of them with one 503 {@code database_unavailable} instead of a
 * 500 that reads like a fault of the request.
 */
public final class DatabaseUnavailable {
    private DatabaseUnavailable() {}

    /** True when {@code failure}, or anything it wraps, says the database could not be reached or went away. */
    public static boolean isCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException) return true;
            if (t instanceof SQLException sql && lostConnection(sql.getSQLState())) return true;
        }
        return false;
    }

    /**
     * What the driver or the pool said, for the log: the connection failure's own message, never the statement or
     * its bound values that a wrapping exception's message spells out.
     */
    public static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) return t.getMessage();
        }
        return failure.getClass().getSimpleName();
    }

    /** The 503 every route answers while the database is away. */
    public static GatewayException refusal() {
        return new GatewayException(503, "server_error", "database_unavailable", null,
                "The gateway's database is unreachable, so this request cannot be served now. Retry shortly; operators: "
                        + "check DATABASE_URL and './switchboard doctor'.");
    }

    /**
     * SQLSTATE class 08 (connection exception), and 57P01-57P03: the server is shutting down, crashed, or is not
     * accepting connections yet.
     */
    private static boolean lostConnection(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }
}
