package dev.switchboard.auth;

/**
 * Who is calling: the gateway key that authenticated the request. Objects a caller creates belong to its
 * {@code owner}, so that all keys of one owner (a rotated key and its successor) see the same objects.
 */
public record Caller(String keyId, String keyName, String owner, boolean admin) {}
