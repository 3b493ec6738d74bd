// Terminal input for the CLI: new passwords (from stdin with --password-stdin, or prompted
// twice with echo off) and yes/no confirmations. Private to src/cli.
#pragma once

#include <string>

#include "base/result.h"

namespace roost::cli {

// --password-stdin: all of stdin minus one trailing newline. Otherwise prompts when stdin
// is a terminal and fails with a hint when it is not (a pipe would hide a typo).
Result<std::string> read_new_password(bool from_stdin);

// Asks a yes/no question on the terminal; false when stdin is not a terminal.
bool confirm_on_terminal(const std::string& question);

bool stdin_is_terminal();

}  // namespace roost::cli
