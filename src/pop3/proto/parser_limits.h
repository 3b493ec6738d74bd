// ParserLimits: the bounds the POP3 command parser enforces (STYLE.md convention 7). The session
// fills max_sasl_line from net::NetLimits::max_line_length ([limits] max_line_length).
#pragma once

#include <cstddef>

namespace roost::pop3 {

struct ParserLimits {
  // RFC 2449 §4: a command line is at most 255 octets, CRLF included.
  size_t max_command_line = 255;
  // RFC 2449 §4: each argument at most 40 octets. Applied to message numbers, line counts, SASL
  // mechanism names and APOP; USER names and PASS passwords may fill the whole command line,
  // since addresses and generated passwords are often longer than 40 octets.
  size_t max_argument = 40;
  // AUTH with an initial response and SASL continuation lines (RFC 5034 §4), CRLF excluded.
  size_t max_sasl_line = 8192;
};

}  // namespace roost::pop3
