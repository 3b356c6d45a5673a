package dev.switchboard.documents;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which addresses a document may be fetched from: public unicast only. Loopback, private (RFC 1918), shared
 * (100.64/10), link-local (including the 169.254.169.254 metadata service), unique-local IPv6, multicast, "this
 * network" and reserved ranges are refused, also when wrapped in an IPv4-mapped IPv6 address.
 */
public final class AddressPolicy {
    private AddressPolicy() {}

    public static boolean isPublic(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            if (isMappedIpv4(b)) return isPublic(ipv4(b[12], b[13], b[14], b[15]));
            if (v6.isLoopbackAddress() || v6.isAnyLocalAddress() || v6.isLinkLocalAddress() || v6.isSiteLocalAddress()
                    || v6.isMulticastAddress()) return false;
            return (b[0] & 0xfe) != 0xfc; // fc00::/7, unique local
        }
        if (!(address instanceof Inet4Address)) return false;
        byte[] b = address.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) return false;
        if (first == 0 || first >= 240) return false;                         // this network; reserved and broadcast
        if (first == 100 && second >= 64 && second <= 127) return false;      // shared address space
        if (first == 192 && second == 0 && (b[2] & 0xff) == 0) return false;   // IETF protocol assignments
        if (first == 198 && (second == 18 || second == 19)) return false;      // benchmarking
        return true;
    }

    private static boolean isMappedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static InetAddress ipv4(byte a, byte b, byte c, byte d) {
        try {
            return InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
