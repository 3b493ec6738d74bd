#include "mailauth/authenticator.h"

#include <fmt/format.h>

#include "mime/address.h"
#include "mime/header_field.h"

namespace roost::mailauth {

namespace {

// RFC 8601 §2.2: a value with characters outside a token goes in quotes.
std::string quoted_if_needed(std::string_view value) {
  bool plain = !value.empty() && value.find_first_of(" \t\"();<>,:\\[]") == std::string_view::npos;
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

bool has_dkim_signature(std::string_view message) {
  bool found = false;
  mime::for_each_header_field(message, [&](const mime::HeaderField& field) {
    if (mime::iequals(field.name, "DKIM-Signature")) found = true;
  });
  return found;
}

std::string from_domain(std::string_view message) {
  std::string domain;
  int from_fields = 0;
  mime::for_each_header_field(message, [&](const mime::HeaderField& field) {
    if (!mime::iequals(field.name, "From")) return;
    ++from_fields;
    auto addresses = mime::parse_address_list(mime::unfold(field.value));
    std::vector<const mime::Address*> mailboxes;
    for (const auto& a : addresses) {
      if (!a.is_group_start && !a.is_group_end) mailboxes.push_back(&a);
    }
    if (mailboxes.size() == 1 && mailboxes[0]->host) domain = *mailboxes[0]->host;
  });
  if (from_fields != 1) return "";
  if (domain == mime::kMissingDomain) return "";
  return domain;
}

std::string authentication_results(std::string_view authserv_id, const SpfResult& spf,
                                   const std::vector<DkimResult>& dkim, const DmarcResult& dmarc) {
  std::vector<std::string> results;
  results.push_back(fmt::format("spf={} smtp.mailfrom={}", to_string(spf.verdict),
                                quoted_if_needed(spf.sender)));
  if (dkim.empty()) results.push_back("dkim=none");
  for (const DkimResult& r : dkim) {
    std::string entry = fmt::format("dkim={}", to_string(r.verdict));
    if (!r.reason.empty()) entry += fmt::format(" ({})", r.reason);
    entry += fmt::format(" header.d={} header.s={}", quoted_if_needed(r.domain),
                         quoted_if_needed(r.selector));
    if (!r.algorithm.empty()) entry += " header.a=" + r.algorithm;
    results.push_back(entry);
  }
  std::string dmarc_entry = fmt::format("dmarc={}", to_string(dmarc.verdict));
  if (!dmarc.policy.empty()) dmarc_entry += fmt::format(" (p={})", dmarc.policy);
  if (!dmarc.from_domain.empty()) dmarc_entry += " header.from=" + dmarc.from_domain;
  results.push_back(dmarc_entry);
  std::string header = fmt::format("Authentication-Results: {}", authserv_id);
  for (const std::string& r : results) header += ";\r\n\t" + r;
  return header + "\r\n";
}

bool is_forged_results(std::string_view field_value, std::string_view authserv_id) {
  std::string value = mime::unfold(field_value);
  size_t end = value.find_first_of("; \t(");
  return mime::iequals(value.substr(0, end), authserv_id);
}

Result<std::unique_ptr<Authenticator>> Authenticator::create(Resolver& resolver,
                                                             std::string authserv_id) {
  ROOST_TRY(dmarc_init());
  auto dkim = Dkim::create();
  if (!dkim) return dkim.error();
  return std::unique_ptr<Authenticator>(
      new Authenticator(resolver, std::move(*dkim), std::move(authserv_id)));
}

InboundVerdict Authenticator::check(const InboundEnvelope& envelope, std::string_view message) {
  InboundVerdict v;
  v.spf = check_spf(resolver_, envelope.client, envelope.helo, envelope.mail_from);
  // Unsigned mail (most of it) is not handed to libopendkim, which would walk every byte of
  // the body only to find no signature.
  if (has_dkim_signature(message)) v.dkim = dkim_->verify(message, resolver_);
  std::string domain = from_domain(message);
  v.dmarc = evaluate_dmarc(resolver_, envelope.client, domain, v.spf, v.dkim);
  v.disposition = v.dmarc.disposition;
  if (v.disposition != DmarcDisposition::Accept) {
    v.reason = fmt::format(
        "the sender's domain {} publishes a DMARC policy ({}) and this message passes neither "
        "SPF nor DKIM for it",
        v.dmarc.from_domain, v.dmarc.policy);
  }
  v.header = authentication_results(authserv_id_, v.spf, v.dkim, v.dmarc);
  return v;
}

}  // namespace roost::mailauth
