package dev.custos.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custos.support.Api;

/** The API never answers with a password: neither its value nor a field that would hold one. */
public final class NoPasswords {

    private NoPasswords() {
    }

    public static void assertNone(Api.Response r, String... passwords) {
        assertThat(r.text()).doesNotContain(passwords);
        assertThat(r.json().findParents("password")).as(r.text()).isEmpty();
        assertThat(r.json().findParents("password_enc")).as(r.text()).isEmpty();
    }
}
