package dev.switchboard.ownership;

/**
 * A kind of OpenAI object that belongs to the owner whose key created it through the gateway.
 *
 * @param name  stored in {@code owned_objects.kind}, such as {@code response}; never renamed once used
 * @param label how answers name one, such as {@code Response}: "Response with id 'X' not found."
 */
public record OwnedKind(String name, String label) {}
