package dev.switchboard.auth;

/** A key just created: the stored description and the key itself, which is shown this once and never again. */
public record CreatedKey(ApiKey key, String secret) {}
