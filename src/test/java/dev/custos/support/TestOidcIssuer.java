package dev.custos.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.json.JsonMapper;

/**
 * An OpenID Connect provider in the test's own process, as far as a resource server sees one: a discovery document
 * at {@code <issuer>/.well-known/openid-configuration} naming its JWKS, the JWKS with its public RSA key, and tokens
 * it signs with the private one. Tests mint tokens with the claims they need, and bad ones on purpose: altered after
 * signing, signed by a key it does not publish. {@link #down(boolean)} makes it answer 503 to everything.
 */
public final class TestOidcIssuer implements AutoCloseable {

    /** The audience tokens carry unless a test says otherwise. */
    public static final String AUDIENCE = "custos-api";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;
    private final String issuer;
    private final RSAKey key;
    private final AtomicInteger discoveries = new AtomicInteger();
    private volatile boolean down;

    private TestOidcIssuer(HttpServer server, RSAKey key) {
        this.server = server;
        this.key = key;
        // A path like Keycloak's realms, so that discovery is found below it, not at the host's root.
        this.issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/custos-test";
    }

    public static TestOidcIssuer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            TestOidcIssuer issuer = new TestOidcIssuer(server, newKey("test-key-1"));
            server.createContext("/", issuer::serve);
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String issuer() {
        return issuer;
    }

    /** How often the discovery document was asked for. */
    public int discoveries() {
        return discoveries.get();
    }

    /** While down, every request gets a 503, as from a provider that is restarting. */
    public void down(boolean down) {
        this.down = down;
    }

    /**
     * A token signed with the published key: issued by this issuer to {@link #AUDIENCE} for subject {@code sub},
     * valid for five minutes from now, with whatever {@code claims} changes or adds.
     */
    public String token(String sub, Consumer<JWTClaimsSet.Builder> claims) {
        return sign(key, claimsFor(sub, claims));
    }

    /** A token that is exactly {@link #token} but signed with another key under the same key id. */
    public String tokenSignedByAnotherKey(String sub, String kid, Consumer<JWTClaimsSet.Builder> claims) {
        return sign(newKey(kid), claimsFor(sub, claims));
    }

    /** {@code token} with its payload changed by {@code change} and its signature kept: what a forger sends. */
    public static String tampered(String token, Consumer<JWTClaimsSet.Builder> change) {
        try {
            String[] parts = token.split("\\.");
            JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(JWTClaimsSet.parse(
                    new Base64URL(parts[1]).decodeToString()));
            change.accept(b);
            return parts[0] + "." + Base64URL.encode(b.build().toString()) + "." + parts[2];
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The kid of the published key. */
    public String keyId() {
        return key.getKeyID();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private JWTClaimsSet claimsFor(String sub, Consumer<JWTClaimsSet.Builder> claims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .issuer(issuer).audience(AUDIENCE).subject(sub)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
        claims.accept(b);
        return b.build();
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String prefix = java.net.URI.create(issuer).getPath();
            if (down) {
                respond(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
            } else if (path.equals(prefix + "/.well-known/openid-configuration")) {
                discoveries.incrementAndGet();
                respond(exchange, 200, JSON.writeValueAsString(Map.of(
                        "issuer", issuer,
                        "jwks_uri", issuer + "/protocol/openid-connect/certs",
                        "authorization_endpoint", issuer + "/protocol/openid-connect/auth",
                        "token_endpoint", issuer + "/protocol/openid-connect/token",
                        "response_types_supported", List.of("code"),
                        "subject_types_supported", List.of("public"),
                        "id_token_signing_alg_values_supported", List.of("RS256"))));
            } else if (path.equals(prefix + "/protocol/openid-connect/certs")) {
                respond(exchange, 200, new JWKSet(key.toPublicJWK()).toString());
            } else {
                respond(exchange, 404, "{\"error\":\"not_found\"}");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
