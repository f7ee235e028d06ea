package io.capstan.server.testing.aws;

import com.sun.net.httpserver.Headers;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the wire stubs read from a request's SigV4 {@code Authorization} header. They check its shape only, never the
 * signature: the point is to see that the SDK signed the request and with which access key, not to test AWS's
 * signing code.
 */
final class SignedRequests {
    private static final String SCHEME = "AWS4-HMAC-SHA256";
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");

    private SignedRequests() {}

    static boolean isSigned(Headers headers) {
        String authorization = headers.getFirst("Authorization");
        return authorization != null && authorization.startsWith(SCHEME + " ");
    }

    /** The access key id in {@code Credential=AKID/DATE/REGION/SERVICE/aws4_request}, if there is one. */
    static Optional<String> accessKeyId(Headers headers) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null) {
            return Optional.empty();
        }
        Matcher matcher = CREDENTIAL.matcher(authorization);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }
}
