// ParserLimits: the bounds the SMTP command parser enforces (STYLE.md convention 7). The session
// fills them from [smtp] max_command_line and [limits] max_line_length.
#pragma once

#include <cstddef>

#include "smtp/proto/address.h"

namespace roost::smtp {

struct ParserLimits {
  // RFC 5321 §4.5.3.1.4 sets 512 octets for a command line, but §4.5.3.1.7 lets extensions
  // lengthen it (SIZE, AUTH=, ORCPT, UTF-8 paths); 1000 with CRLF is the text-line limit.
  size_t max_command_line = 1000;
  // AUTH with an initial response and SASL continuation lines (RFC 4954 §4: at least 12288).
  size_t max_sasl_line = 12288;
  // ESMTP parameters on one MAIL or RCPT command.
  size_t max_parameters = 16;
  AddressLimits address;
};

}  // namespace roost::smtp
