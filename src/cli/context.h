// Settings → the options of the modules the subcommands and `roost serve` build. The rest of
// the shared context (open_context, ingest_options, ...) is declared in cli/commands.h.
#pragma once

#include "config/settings.h"
#include "mailbox/pop3_maildrop.h"

namespace roost::cli {

// mailbox::Pop3Options from [pop3]. An account's own policy (`roost account pop3-policy`) is
// read from the store at each POP3 login and wins over `policy`.
mailbox::Pop3Options pop3_options(const config::Settings& settings);

}  // namespace roost::cli
