package dev.custos.policies;

import java.util.List;

/**
 * What policies need to know about the databases that use them. Implemented by the databases feature, so
 * policies stay below databases in the dependency order.
 */
public interface PolicyUsage {

    /** Display names of the databases using the policy, sorted. */
    List<String> databasesUsing(String policyId);

    /** Moves every database from one policy to another; returns how many moved. */
    int move(String fromPolicyId, String toPolicyId);
}
