package dev.custos.app;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.custos.api.ErrorBody;

/**
 * Replaces Boot's {@code /error}, which answers an HTML whitelabel page to browsers and its own JSON shape to
 * others. What reaches it never passed through {@link ApiErrors}: a container-level refusal (TRACE, a
 * failed filter), so it still answers {@code {"error": "..."}} and never shows internals.
 */
@RestController
class JsonErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorController.class);

    @RequestMapping("/error")
    ResponseEntity<ErrorBody> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        String path = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (!(code instanceof Integer) || path == null) {
            // Called directly by a client, not forwarded by the container.
            return body(HttpStatus.NOT_FOUND, "No endpoint " + request.getMethod() + " /error");
        }
        HttpStatus status = HttpStatus.resolve((Integer) code);
        status = status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status;
        if (status.is5xxServerError()) {
            log.error("Unexpected error outside the API handlers on {} {}", request.getMethod(), path,
                    (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
            return body(status, "Internal error; see the server log");
        }
        // The method is left out: on an error dispatch Tomcat may report GET for the refused method.
        return body(status, status.getReasonPhrase() + " (" + path + ")");
    }

    private static ResponseEntity<ErrorBody> body(HttpStatus status, String message) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ErrorBody(message));
    }
}
