// The scenarios of issue 5 (bench/README.md says what each measures). Each runs to completion
// or to its hard time limit and returns its results as one JSON object.
#pragma once

#include "json.h"
#include "options.h"

namespace roost::bench {

Json run_seed(const SeedOptions& options);
Json run_imap_mixed(const MixedOptions& options);
Json run_idle_fleet(const IdleFleetOptions& options);
Json run_append_durable(const AppendOptions& options);
Json run_big_mailbox(const BigMailboxOptions& options);
Json run_pop3_drain(const Pop3Options& options);

// The load generator's own CPU seconds and peak RSS, so a saturated client is visible.
Json loadgen_usage();

}  // namespace roost::bench
