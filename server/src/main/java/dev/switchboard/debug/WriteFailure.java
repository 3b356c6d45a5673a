package dev.switchboard.debug;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.postgresql.util.PSQLException;

/**
 * Why a write failed: the database could not be reached (keep the records and try again later) or it answered and
 * refused them (a record is at fault: retrying the same batch would fail forever).
 */
final class WriteFailure {
    private WriteFailure() {}

    /**
     * True when the database was not there to answer: no connection, a connection lost, the server shutting down or
     * out of resources, or a transaction it asks to retry. SQLSTATE classes 08, 53, 57P and 40.
     */
    static boolean unavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof IOException
                    || t instanceof org.jdbi.v3.core.ConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    String state = e.getSQLState();
                    if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                            || state.startsWith("40"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The reason, fit for a log line: the SQLSTATE and PostgreSQL's primary message, never the statement or its
     * values (the driver's own message of a failed batch repeats them, and they are client data).
     */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
                        return "SQLSTATE " + psql.getSQLState() + ": " + psql.getServerErrorMessage().getMessage();
                    }
                }
                return "SQLSTATE " + sql.getSQLState();
            }
        }
        return failure.getClass().getSimpleName();
    }
}
