// The delivery status notification (RFC 3464, in a multipart/report of RFC 6522) that tells a
// sender which recipients did not get the message and why, in plain words first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "queue/queue_store.h"

namespace roost::queue {

struct BounceContext {
  std::string reporting_host;  // our host name (Reporting-MTA, MAILER-DAEMON@)
  int64_t now = 0;
  bool expired = false;        // gave up after queue.max_age_seconds
  int64_t max_age_seconds = 0;
};

// The bounce for the Failed recipients of `message` (original: the queued bytes; its header
// is quoted). Pure.
std::string build_bounce(const QueuedMessage& message, std::string_view original,
                         const BounceContext& context);

// The RFC 3463 status in a reply text ("550 5.1.1 ..." -> "5.1.1"), else one from the class.
std::string status_code_of(std::string_view reply, bool permanent);

}  // namespace roost::queue
