package dev.custos.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

import dev.custos.catalog.Timestamps;

@Configuration(proxyBeanMethods = false)
class CoreBeans {

    /**
     * One clock for everything that reads time, so tests can move it. It ticks in milliseconds, the catalog's
     * precision, so what a service returns equals what a later read of the catalog gives back.
     */
    @Bean
    Clock clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    }

    /** Every timestamp in the API has the spec's shape, milliseconds included even when zero. */
    @Bean
    SimpleModule custosJsonModule() {
        SimpleModule module = new SimpleModule("custos");
        module.addSerializer(Instant.class, new ValueSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
                gen.writeString(Timestamps.format(value));
            }
        });
        return module;
    }
}
