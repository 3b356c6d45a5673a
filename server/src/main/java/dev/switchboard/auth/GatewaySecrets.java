package dev.switchboard.auth;

import java.security.SecureRandom;
import org.jdbi.v3.core.Jdbi;

/**
 * Secrets the gateway makes for itself (signing keys), kept in the database so that every instance uses the same
 * one: the first instance to need a secret stores it, the others read it.
 */
public final class GatewaySecrets {
    private GatewaySecrets() {}

    public static byte[] load(Jdbi jdbi, String name) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        return jdbi.withHandle(h -> {
            h.createUpdate("insert into gateway_secrets (name, value) values (:n, :v) on conflict (name) do nothing")
                    .bind("n", name).bind("v", fresh).execute();
            return h.createQuery("select value from gateway_secrets where name = :n").bind("n", name).mapTo(byte[].class).one();
        });
    }
}
