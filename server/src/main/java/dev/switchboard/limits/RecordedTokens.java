package dev.switchboard.limits;

import java.time.OffsetDateTime;

/**
 * The tokens a key's finished requests recorded since a moment: the durable record budgets start from. The request
 * log is the debug package's, so limits asks through this rather than reading its table.
 */
@FunctionalInterface
public interface RecordedTokens {
    long since(String keyId, OffsetDateTime since);
}
