package dev.custos.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication(scanBasePackages = "dev.custos")
@ConfigurationPropertiesScan("dev.custos")
public class CustosApplication {

    public static void main(String[] args) {
        SpringApplication.run(CustosApplication.class, args);
    }
}
