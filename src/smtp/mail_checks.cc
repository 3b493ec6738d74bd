#include "smtp/mail_checks.h"

#include <optional>

#include "mime/header_field.h"

namespace roost::smtp {

namespace {

// "::ffff:192.0.2.1" (an IPv4 client on a dual-stack socket) is checked as 192.0.2.1.
mailauth::IpAddress client_address(const std::string& text) {
  std::string_view v4_mapped = "::ffff:";
  std::string plain = text.rfind(v4_mapped, 0) == 0 && text.find('.') != std::string::npos
                          ? text.substr(v4_mapped.size())
                          : text;
  auto ip = mailauth::IpAddress::parse(plain);
  return ip ? *ip : mailauth::IpAddress{};
}

// The header section at the start of `head` (through its blank line), when it ends there or
// is the whole message (`total` bytes).
std::optional<std::string_view> header_section(std::string_view head, uint64_t total) {
  size_t pos = 0;
  while (pos < head.size()) {
    if (head[pos] == '\n') return head.substr(0, pos + 1);
    if (head[pos] == '\r' && pos + 1 < head.size() && head[pos + 1] == '\n') {
      return head.substr(0, pos + 2);
    }
    size_t eol = head.find('\n', pos);
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  if (head.size() == total) return head;
  return std::nullopt;
}

}  // namespace

InboundCheck make_inbound_check(mailauth::Authenticator& authenticator) {
  return [&authenticator](const InboundEnvelope& envelope,
                          const MessageSpool& spool) -> Result<InboundVerdict> {
    // Without a DKIM signature only the header section is read: no copy of a big body.
    std::string whole;
    std::optional<std::string_view> header = header_section(spool.head(), spool.size());
    std::string_view message;
    if (header && !mailauth::has_dkim_signature(*header)) {
      message = *header;
    } else {
      whole.reserve(spool.size());
      ROOST_TRY(spool.for_each_chunk([&](std::string_view chunk) {
        whole.append(chunk);
        return ok();
      }));
      message = whole;
    }
    mailauth::InboundEnvelope checked{client_address(envelope.client_ip), envelope.helo,
                                      envelope.mail_from.address()};
    mailauth::InboundVerdict v = authenticator.check(checked, message);
    InboundVerdict out;
    out.headers = v.header;
    // RFC 8601 §5: Authentication-Results fields from outside that claim our name are
    // forgeries; they are not stored (the field's value runs to the end of its last line).
    mime::for_each_header_field(message, [&](const mime::HeaderField& field) {
      if (!mime::iequals(field.name, "Authentication-Results") ||
          !mailauth::is_forged_results(field.value, authenticator.authserv_id()))
        return;
      uint64_t begin = static_cast<uint64_t>(field.name.data() - message.data());
      uint64_t end = static_cast<uint64_t>(field.value.data() + field.value.size() - message.data());
      out.drop.emplace_back(begin, end);
    });
    switch (v.disposition) {
      case mailauth::DmarcDisposition::Accept:
        out.action = InboundVerdict::Action::Accept;
        break;
      case mailauth::DmarcDisposition::Quarantine:
        out.action = InboundVerdict::Action::Quarantine;
        break;
      case mailauth::DmarcDisposition::Reject:
        out.action = InboundVerdict::Action::Reject;
        out.code = 550;
        out.enhanced = "5.7.1";
        out.text = "Rejected by DMARC policy: " + v.reason;
        break;
    }
    return out;
  };
}

}  // namespace roost::smtp
