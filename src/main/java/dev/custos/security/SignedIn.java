package dev.custos.security;

/** The principal of an authenticated request: the user as they were when the request began. */
record SignedIn(User user) {
}
