package dev.custos.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import dev.custos.cli.Cli;

@SpringBootApplication(scanBasePackages = "dev.custos")
@ConfigurationPropertiesScan("dev.custos")
public class CustosApplication {

    /**
     * Starts the server, or, when the arguments name a command ({@code restore-file}, {@code decrypt},
     * {@code catalog}), runs that disaster tool instead and exits with its code, without the server.
     */
    public static void main(String[] args) {
        if (Cli.isCommand(args)) {
            System.exit(Cli.run(args));
        }
        SpringApplication.run(CustosApplication.class, args);
    }
}
