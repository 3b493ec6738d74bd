// The InboundCheck the server installs on the smtp port: SPF, DKIM and DMARC through
// mailauth::Authenticator. One Authentication-Results field is prepended to every message; a
// DMARC failure under p=reject is refused with 550 5.7.1 at the end of the data, one under
// p=quarantine is delivered to the recipients' Junk folders (RFC 7489 §6.3). DNS failures never
// refuse mail: they are reported as temperror in the header. Authentication-Results fields that
// arrive claiming this server's name are removed (RFC 8601 §5).
#pragma once

#include "mailauth/authenticator.h"
#include "smtp/inbound_check.h"

namespace roost::smtp {

InboundCheck make_inbound_check(mailauth::Authenticator& authenticator);

}  // namespace roost::smtp
