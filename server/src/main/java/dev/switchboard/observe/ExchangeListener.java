package dev.switchboard.observe;

/**
 * Told about every upstream exchange: each {@link #started} is followed by exactly one {@link #finished}.
 * Callbacks run on the relay's thread: they must be fast, take no locks held across I/O, and never throw.
 */
public interface ExchangeListener {
    ExchangeListener NONE = new ExchangeListener() {};

    default void started(Exchange exchange) {}

    /**
     * An exchange that started as a plain request turned out to be a stream (a forwarded endpoint that answers
     * with events though the request did not say it would); exchanges that ask for a stream are streams from
     * {@link #started}.
     */
    default void becameStream(Exchange exchange) {}

    /** The first byte of the answer (the first event of a stream) reached the gateway. */
    default void firstByte(Exchange exchange) {}

    /** One more event relayed. Hot: keep it to a counter increment. */
    default void eventRelayed(Exchange exchange) {}

    default void finished(Exchange exchange) {}

    /** Calls each listener in order, isolating their failures from the relay and from each other. */
    static ExchangeListener all(ExchangeListener... listeners) {
        return new ExchangeListener() {
            @Override
            public void started(Exchange exchange) {
                for (ExchangeListener l : listeners) safely(() -> l.started(exchange));
            }

            @Override
            public void becameStream(Exchange exchange) {
                for (ExchangeListener l : listeners) safely(() -> l.becameStream(exchange));
            }

            @Override
            public void firstByte(Exchange exchange) {
                for (ExchangeListener l : listeners) safely(() -> l.firstByte(exchange));
            }

            @Override
            public void eventRelayed(Exchange exchange) {
                // Per event: no lambda, no allocation.
                for (ExchangeListener l : listeners) {
                    try {
                        l.eventRelayed(exchange);
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(ExchangeListener.class).warn("exchange listener failed", e);
                    }
                }
            }

            @Override
            public void finished(Exchange exchange) {
                for (ExchangeListener l : listeners) safely(() -> l.finished(exchange));
            }
        };
    }

    private static void safely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ExchangeListener.class).warn("exchange listener failed", e);
        }
    }
}
