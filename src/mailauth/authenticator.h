// The checks on a message arriving from another server (port 25): SPF, DKIM, DMARC, summed
// up in one Authentication-Results field (RFC 8601) and a disposition for the SMTP session.
//
// Contract: thread-safe; check() blocks on DNS: call it from a blocking-pool thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/dkim.h"
#include "mailauth/dmarc.h"
#include "mailauth/dns_resolver.h"
#include "mailauth/spf.h"

namespace roost::mailauth {

struct InboundEnvelope {
  IpAddress client;
  std::string helo;       // what the client said in HELO/EHLO
  std::string mail_from;  // the reverse-path, empty for <>
};

struct InboundVerdict {
  SpfResult spf;
  std::vector<DkimResult> dkim;
  DmarcResult dmarc;
  // "Authentication-Results: ...\r\n", folded, to put on top of the message.
  std::string header;
  DmarcDisposition disposition = DmarcDisposition::Accept;
  std::string reason;  // for the 550 text and the log when not Accept, in plain words
};

// True when the header section of `message` has a DKIM-Signature field (RFC 6376 §3.5).
bool has_dkim_signature(std::string_view message);

class Authenticator {
 public:
  // `authserv_id` names this server in the header (RFC 8601 §2.5): its host name.
  static Result<std::unique_ptr<Authenticator>> create(Resolver& resolver,
                                                       std::string authserv_id);

  // `message`: the whole message, or only its header section (up to and including the blank
  // line) when that has no DKIM-Signature field: nothing else reads the body.
  InboundVerdict check(const InboundEnvelope& envelope, std::string_view message);
  const std::string& authserv_id() const { return authserv_id_; }

 private:
  Authenticator(Resolver& resolver, std::unique_ptr<Dkim> dkim, std::string authserv_id)
      : resolver_(resolver), dkim_(std::move(dkim)), authserv_id_(std::move(authserv_id)) {}
  Resolver& resolver_;
  std::unique_ptr<Dkim> dkim_;
  std::string authserv_id_;
};

// The RFC 5322 From: domain DMARC judges (§6.6.1): empty when the message has no From:, or
// more than one address in it.
std::string from_domain(std::string_view message);

// The Authentication-Results field for these results.
std::string authentication_results(std::string_view authserv_id, const SpfResult& spf,
                                   const std::vector<DkimResult>& dkim, const DmarcResult& dmarc);

// Whether a header field name is Authentication-Results claiming `authserv_id`: such fields
// arriving from outside are forgeries and are removed before ours is added (RFC 8601 §5).
bool is_forged_results(std::string_view field_value, std::string_view authserv_id);

}  // namespace roost::mailauth
