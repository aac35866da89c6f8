package dev.custos.audit;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Logs every API request once it is answered. The path is logged without its query string, which may carry a
 * download link's signature.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class RequestLogFilter extends OncePerRequestFilter {

    private final RequestLog requests;

    RequestLogFilter(RequestLog requests) {
        this.requests = requests;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long started = System.nanoTime();
        int status = 500;
        try {
            chain.doFilter(request, response);
            status = response.getStatus();
        } finally {
            requests.record(request.getMethod(), request.getRequestURI(), status,
                    (System.nanoTime() - started) / 1_000_000, Actor.of(request).userId(), request.getRemoteAddr(),
                    request.getHeader("User-Agent"), (String) request.getAttribute(RequestIds.ATTRIBUTE));
        }
    }
}
