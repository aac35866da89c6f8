package dev.custos.security;

import org.springframework.security.core.AuthenticationException;

/** Why a presented API key was refused: the security event's type, and the key when it was found. */
class ApiKeyRefusal extends AuthenticationException {

    private final transient ApiKeyService.Outcome outcome;

    ApiKeyRefusal(ApiKeyService.Outcome outcome) {
        super(outcome.reason());
        this.outcome = outcome;
    }

    String type() {
        return outcome.refusal();
    }

    ApiKey key() {
        return outcome.key();
    }
}
