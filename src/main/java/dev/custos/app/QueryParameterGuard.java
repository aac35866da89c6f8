package dev.custos.app;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import dev.custos.api.ApiException;

/**
 * Refuses a NUL character in any query parameter with a 400 naming it. PostgreSQL text cannot hold one, so a
 * filter such as {@code ?host=%00} would otherwise fail its query with a 500 on a PostgreSQL catalog. JSON
 * bodies get the same rule in {@code JsonBody}; Tomcat already refuses NUL in the path.
 */
@Configuration(proxyBeanMethods = false)
class QueryParameterGuard implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                // The raw query string, not getParameterMap(): that would also parse (and consume) form bodies.
                String query = request.getQueryString();
                if (query != null && query.contains("%00")) {
                    for (String pair : query.split("&")) {
                        if (pair.contains("%00")) {
                            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                            throw ApiException.badRequest("Query parameter '" + name.replace("%00", "")
                                    + "' must not contain NUL characters");
                        }
                    }
                }
                return true;
            }
        });
    }
}
