/* sample_policy.h - a policy using every feature, shared by the mutation test, the fuzz seeds and the benchmark. */
#ifndef JMF_UNIT_SAMPLE_POLICY_H
#define JMF_UNIT_SAMPLE_POLICY_H

#include "support.h"

/* Fills Tp (TpInit'ed by the caller) with a valid policy of about 16 rules and 3 volumes. */
void SamplePolicy(TEST_POLICY *Tp);

#endif
