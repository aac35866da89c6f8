package dev.custos.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Tomcat refuses some requests before Spring sees them (an encoded NUL, slash or backslash in the path, headers
 * over the size limit) and its error report valve answers them with an HTML page. This swaps that valve for
 * one that answers the API's {@code {"error": "..."}}. It runs after Boot's own customizer, which installs the
 * HTML valve.
 */
@Component
class ContainerErrors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            Pipeline pipeline = context.getParent().getPipeline();
            for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ErrorReportValve) {
                    pipeline.removeValve(valve);
                }
            }
            pipeline.addValve(new JsonErrorReportValve());
            if (context.getParent() instanceof StandardHost host) {
                // Otherwise the host adds its default HTML valve back when it starts.
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            }
        });
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    static final class JsonErrorReportValve extends ErrorReportValve {

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int code = response.getStatus();
            // As Tomcat's valve: leave successes, responses already written and errors already reported alone.
            if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(true);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            HttpStatus status = HttpStatus.resolve(code);
            String message = status == null ? "HTTP error " + code
                    : status.is4xxClientError()
                            ? status.getReasonPhrase() + ": the request was refused before it reached the API"
                                    + " (malformed URI or headers)"
                            : status.getReasonPhrase();
            try {
                response.setContentType("application/json");
                response.setCharacterEncoding("UTF-8");
                PrintWriter writer = response.getReporter();
                if (writer != null) {
                    // The message holds no client input, so it needs no JSON escaping.
                    writer.write("{\"error\":\"" + message + "\"}");
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // The client is gone or the response was closed meanwhile: nothing left to answer.
            }
        }
    }
}
