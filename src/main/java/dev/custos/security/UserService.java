package dev.custos.security;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.custos.api.ApiException;
import dev.custos.api.JsonBody;
import dev.custos.audit.AuditEvent;
import dev.custos.audit.AuditLog;
import dev.custos.catalog.Ids;

/**
 * Users: their lifecycle (each change audited with the spec's {@code user_*} actions) and the check of a username
 * and password. A password is verified with its adaptive hash once; the verified pair is then remembered for a few
 * minutes (as a keyed digest, never the password) so that HTTP Basic clients do not pay the hash on every request.
 */
@Service
public class UserService {

    static final int MIN_PASSWORD = 12;
    private static final int MAX_PASSWORD = 200;
    static final String USERNAME_PATTERN = "[a-z0-9][a-z0-9._@-]{0,63}";
    private static final Pattern USERNAME = Pattern.compile(USERNAME_PATTERN);
    private static final Duration REMEMBER = Duration.ofMinutes(5);
    private static final int REMEMBERED_MAX = 10_000;

    private final UserRepository repository;
    private final ApiKeyRepository keys;
    private final Grants grants;
    private final SignInThrottle throttle;
    private final PasswordEncoder passwords;
    private final AuditLog audit;
    private final Clock clock;
    private final byte[] rememberKey = new byte[32];
    private volatile String dummyHash;
    private final Map<String, Remembered> remembered = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
            return size() > REMEMBERED_MAX;
        }
    };

    /** A verified username and password: valid while the stored hash is the one it was verified against. */
    private record Remembered(String passwordHash, Instant until) {
    }

    UserService(UserRepository repository, ApiKeyRepository keys, Grants grants, SignInThrottle throttle,
            PasswordEncoder passwords, AuditLog audit, Clock clock) {
        this.throttle = throttle;
        this.repository = repository;
        this.keys = keys;
        this.grants = grants;
        this.passwords = passwords;
        this.audit = audit;
        this.clock = clock;
        new SecureRandom().nextBytes(rememberKey);
    }

    public List<User> list() {
        return repository.findAll();
    }

    public User get(String id) {
        return repository.findById(id).orElseThrow(() -> ApiException.notFound("User '" + id + "' not found"));
    }

    /** The outcome of a sign-in: the user, or (for the security events, never the caller) why not. */
    record SignIn(User user, String failure, SignInThrottle.Verdict busy) {

        static final String UNKNOWN_USER = "unknown user";

        static SignIn failed(String failure) {
            return new SignIn(null, failure, null);
        }
    }

    /** The enabled user {@code username} names when {@code password} is theirs, or why not. */
    SignIn authenticate(String username, String password) {
        if (username == null || password == null) {
            return SignIn.failed("no username or password");
        }
        Optional<UserRepository.Credentials> found = repository.credentials(username.trim().toLowerCase(Locale.ROOT));
        if (found.isEmpty()) {
            // Spend what a real check spends, so that timing does not tell which usernames exist.
            SignInThrottle.Verdict busy = throttle.enter(username);
            if (busy != null) {
                return new SignIn(null, "busy", busy);
            }
            try {
                passwords.matches(password, dummyHash());
            } finally {
                throttle.leave(username);
            }
            return SignIn.failed(SignIn.UNKNOWN_USER);
        }
        UserRepository.Credentials c = found.get();
        Instant now = clock.instant();
        String key = rememberKey(c.user().id(), password);
        Remembered r;
        synchronized (remembered) {
            r = remembered.get(key);
        }
        boolean verified = r != null && r.passwordHash().equals(c.passwordHash()) && now.isBefore(r.until());
        if (!verified) {
            SignInThrottle.Verdict busy = throttle.enter(username);
            if (busy != null) {
                return new SignIn(null, "busy", busy);
            }
            boolean matches;
            try {
                matches = passwords.matches(password, c.passwordHash());
            } finally {
                throttle.leave(username);
            }
            if (!matches) {
                return SignIn.failed("wrong password");
            }
            synchronized (remembered) {
                remembered.put(key, new Remembered(c.passwordHash(), now.plus(REMEMBER)));
            }
            if (!c.user().disabled()) {
                repository.recordLogin(c.user().id(), now);
            }
        }
        return c.user().disabled() ? SignIn.failed("the user is disabled") : new SignIn(c.user(), null, null);
    }

    @Transactional
    public User create(JsonBody body) {
        String username = body.requiredString("username");
        if (username != null) {
            username = username.toLowerCase(Locale.ROOT);
            if (!USERNAME.matcher(username).matches()) {
                body.error("username must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or"
                        + " digit (got '" + username + "')");
            }
        }
        String password = password(body, true);
        String role = body.requiredString("role");
        if (role != null && !Role.NAMES.contains(role)) {
            body.error("role must be one of " + String.join(", ", Role.NAMES) + " (got '" + role + "')");
        }
        String name = body.nonBlankString("name", 200).orElse(null);
        String email = email(body, null);
        boolean disabled = body.bool("disabled").orElse(false);
        body.throwIfInvalid();
        if (repository.usernameTaken(username)) {
            throw ApiException.conflict("A user named '" + username + "' already exists");
        }
        Instant now = clock.instant();
        User u = new User(Ids.newId("user"), username, name, email, role, disabled, now, now, null);
        repository.insert(u, passwords.encode(password));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", role);
        details.put("name", name == null ? username : name);
        details.put("username", username);
        audit.success(AuditEvent.of("user_created", "user", u.id(), username, details).withAfter(u));
        return u;
    }

    @Transactional
    public User update(String id, JsonBody body, String actingUserId) {
        User before = get(id);
        String name = body.updatedString("name", 200, before.name());
        String email = body.isNull("email") ? null : email(body, before.email());
        String role = body.oneOf("role", Role.NAMES).orElse(before.role());
        boolean disabled = body.bool("disabled").orElse(before.disabled());
        String password = body.has("password") ? password(body, false) : null;
        if (body.has("username") && !Objects.equals(body.string("username").orElse(null), before.username())) {
            body.error("username cannot be changed (the audit trail names users by it)");
        }
        body.throwIfInvalid();
        repository.lockAdmins();
        boolean losesAdmin = before.role().equals("admin") && !before.disabled()
                && (!role.equals("admin") || disabled);
        if (losesAdmin && repository.otherActiveAdmins(id) == 0) {
            throw ApiException.conflict("User '" + before.username() + "' is the last enabled admin: make another user"
                    + " admin first");
        }
        if (id.equals(actingUserId) && disabled && !before.disabled()) {
            throw ApiException.conflict("You cannot disable yourself");
        }
        User after = new User(id, before.username(), name, email, role, disabled, before.createdAt(), clock.instant(),
                before.lastLoginAt());
        repository.update(after);
        List<Grants.Grant> grantsRemoved = List.of();
        if (role.equals("admin") && !before.role().equals("admin")) {
            // Admins see every database: grants left in place would narrow them again after a later demotion.
            grantsRemoved = grants.of(id);
            grants.removeAllOf(id);
        }
        if (password != null) {
            repository.setPasswordHash(id, passwords.encode(password));
        }
        List<String> updated = new ArrayList<>();
        for (String field : List.of("name", "email", "role", "disabled", "password")) {
            if (body.has(field)) {
                updated.add(field);
            }
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("updated_fields", updated);
        details.put("role", role);
        details.put("password_changed", password != null);
        if (!grantsRemoved.isEmpty()) {
            details.put("grants_removed", grantsRemoved);
        }
        audit.success(AuditEvent.of("user_updated", "user", id, before.username(), details)
                .withBefore(before).withAfter(after));
        return after;
    }

    @Transactional
    public Map<String, Object> delete(String id, String actingUserId) {
        User u = get(id);
        if (id.equals(actingUserId)) {
            throw ApiException.conflict("You cannot delete yourself");
        }
        repository.lockAdmins();
        if (u.role().equals("admin") && !u.disabled() && repository.otherActiveAdmins(id) == 0) {
            throw ApiException.conflict("User '" + u.username() + "' is the last enabled admin");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", u.name() == null ? u.username() : u.name());
        details.put("role", u.role());
        details.put("username", u.username());
        // What the user could do goes with them, and the event says what that was.
        List<String> revoked = keys.revokeAllOf(id, actingUserId == null ? "anonymous" : actingUserId);
        details.put("api_keys_revoked", revoked.size());
        details.put("api_key_ids_revoked", revoked);
        details.put("grants_removed", grants.of(id));
        grants.removeAllOf(id);
        audit.success(AuditEvent.of("user_deleted", "user", id, u.username(), details).withBefore(u));
        repository.delete(id);
        return Map.of("message", "User '" + u.username() + "' deleted");
    }

    boolean noUsers() {
        return repository.count() == 0;
    }

    /**
     * On first start with authentication on and no user: the {@code admin} user with {@code password}, and
     * {@code beforeCommit} (which tells someone the password) run before the user commits; if it fails, no user is
     * created. False when a user exists already (another process created the first one at the same moment).
     */
    @Transactional
    public boolean createFirstAdmin(String password, Runnable beforeCommit) {
        if (repository.count() > 0) {
            return false;
        }
        Instant now = clock.instant();
        User u = new User(Ids.newId("user"), "admin", "Administrator", null, "admin", false, now, now, null);
        try {
            repository.insert(u, passwords.encode(password));
        } catch (DuplicateKeyException e) {
            return false;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", "admin");
        details.put("name", u.name());
        details.put("username", u.username());
        details.put("first_start", true);
        audit.success(AuditEvent.of("user_created", "user", u.id(), u.username(), details).withAfter(u));
        beforeCommit.run();
        return true;
    }

    static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The password as given (never trimmed: spaces are part of it), 12 to 200 characters. */
    private static String password(JsonBody body, boolean required) {
        if (body.isNull("password") || (!required && !body.has("password"))) {
            if (required || body.isNull("password")) {
                body.error("password is required");
            }
            return null;
        }
        Optional<String> given = body.string("password");
        if (given.isEmpty()) {
            if (required && !body.has("password")) {
                body.error("password is required");
            }
            return null;
        }
        String p = given.get();
        if (p.length() < MIN_PASSWORD || p.length() > MAX_PASSWORD) {
            body.error("password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters (got " + p.length()
                    + ")");
            return null;
        }
        return p;
    }

    private static String email(JsonBody body, String current) {
        Optional<String> e = body.nonBlankString("email", 254);
        if (e.isPresent() && !e.get().matches("[^@\\s]+@[^@\\s]+")) {
            body.error("email must look like name@example.com (got '" + e.get() + "')");
            return current;
        }
        return e.orElse(current);
    }

    private String rememberKey(String userId, String password) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(rememberKey, "HmacSHA256"));
            mac.update(userId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A hash of a random password, made once, that unknown usernames are checked against. */
    private String dummyHash() {
        String h = dummyHash;
        if (h == null) {
            h = passwords.encode(randomPassword());
            dummyHash = h;
        }
        return h;
    }
}
