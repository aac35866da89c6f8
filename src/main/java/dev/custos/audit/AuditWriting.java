package dev.custos.audit;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * What writing audit events needs, for the contexts that do not scan the features (the CLI's): the log, the chain and
 * the checkpoint signer, without the server's checkpoint timer. Not a configuration class, so the server's scan never
 * takes it in.
 */
@Import({AuditLog.class, AuditChain.class, AuditCheckpoints.class})
@EnableConfigurationProperties(AuditProperties.class)
public class AuditWriting {
}
