#include "mailauth/spf.h"

#include <netdb.h>

#include <cstring>
#include <memory>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns_rr.h>
}

namespace roost::mailauth {

namespace {

// A libspf2 DNS layer that asks our Resolver. herrno values as libspf2 expects them.
SPF_dns_rr_t* lookup(SPF_dns_server_t* server, const char* domain, ns_type type, int) {
  auto* resolver = static_cast<Resolver*>(server->hook);
  auto make = [&](int herrno) { return SPF_dns_rr_new_init(server, domain, type, 0, herrno); };
  auto fill = [&](const auto& answer, auto copy) -> SPF_dns_rr_t* {
    if (!answer) return make(TRY_AGAIN);
    if (answer->nxdomain) return make(HOST_NOT_FOUND);
    if (answer->records.empty()) return make(NO_DATA);
    SPF_dns_rr_t* rr = make(NETDB_SUCCESS);
    if (!rr) return nullptr;
    int i = 0;
    for (const auto& record : answer->records) {
      if (!copy(rr, i, record)) continue;
      ++i;
    }
    rr->num_rr = i;
    return rr;
  };
  auto copy_text = [](SPF_dns_rr_t* rr, int i, const std::string& text) {
    if (SPF_dns_rr_buf_realloc(rr, i, text.size() + 1) != SPF_E_SUCCESS) return false;
    std::memcpy(rr->rr[i]->txt, text.c_str(), text.size() + 1);
    return true;
  };
  switch (type) {
    case ns_t_txt:
      return fill(resolver->txt(domain), copy_text);
    case ns_t_mx:
      return fill(resolver->mx(domain), [&](SPF_dns_rr_t* rr, int i, const MxHost& mx) {
        return copy_text(rr, i, mx.host);
      });
    case ns_t_a:
    case ns_t_aaaa: {
      bool v6 = type == ns_t_aaaa;
      return fill(resolver->address(domain, v6), [&](SPF_dns_rr_t* rr, int i, const IpAddress& ip) {
        size_t len = v6 ? sizeof(in6_addr) : sizeof(in_addr);
        if (SPF_dns_rr_buf_realloc(rr, i, len) != SPF_E_SUCCESS) return false;
        std::memcpy(v6 ? static_cast<void*>(&rr->rr[i]->aaaa) : static_cast<void*>(&rr->rr[i]->a),
                    ip.bytes.data(), len);
        return true;
      });
    }
    case ns_t_ptr: {
      // libspf2 asks for the reverse name; turn it back into the address our Resolver takes.
      // ip6.arpa is not followed: the ptr mechanism is deprecated (RFC 7208 §5.5).
      std::string_view name(domain);
      std::string_view suffix = ".in-addr.arpa";
      if (!name.ends_with(suffix)) return make(NO_DATA);
      name.remove_suffix(suffix.size());
      std::string forward;
      while (!name.empty()) {
        size_t dot = name.rfind('.');
        std::string_view label = dot == std::string_view::npos ? name : name.substr(dot + 1);
        forward += (forward.empty() ? "" : ".") + std::string(label);
        name = dot == std::string_view::npos ? std::string_view() : name.substr(0, dot);
      }
      auto ip = IpAddress::parse(forward);
      if (!ip) return make(HOST_NOT_FOUND);
      return fill(resolver->ptr(*ip), copy_text);
    }
    default:
      return make(NO_DATA);  // type 99 (SPF): obsolete, RFC 7208 §3.1
  }
}

SpfVerdict verdict_of(SPF_result_t result) {
  switch (result) {
    case SPF_RESULT_PASS: return SpfVerdict::Pass;
    case SPF_RESULT_FAIL: return SpfVerdict::Fail;
    case SPF_RESULT_SOFTFAIL: return SpfVerdict::SoftFail;
    case SPF_RESULT_NEUTRAL: return SpfVerdict::Neutral;
    case SPF_RESULT_NONE: return SpfVerdict::None;
    case SPF_RESULT_TEMPERROR: return SpfVerdict::TempError;
    default: return SpfVerdict::PermError;
  }
}

}  // namespace

std::string_view to_string(SpfVerdict verdict) {
  switch (verdict) {
    case SpfVerdict::None: return "none";
    case SpfVerdict::Neutral: return "neutral";
    case SpfVerdict::Pass: return "pass";
    case SpfVerdict::Fail: return "fail";
    case SpfVerdict::SoftFail: return "softfail";
    case SpfVerdict::TempError: return "temperror";
    case SpfVerdict::PermError: return "permerror";
  }
  return "permerror";
}

SpfResult check_spf(Resolver& resolver, const IpAddress& ip, std::string_view helo,
                    std::string_view mail_from) {
  SpfResult out;
  // RFC 7208 §2.4: for the null reverse-path, check "postmaster@" the HELO name.
  out.sender = mail_from.empty() ? "postmaster@" + std::string(helo) : std::string(mail_from);
  size_t at = out.sender.rfind('@');
  out.domain = at == std::string::npos ? out.sender : out.sender.substr(at + 1);
  if (out.domain.empty()) return out;

  // A DNS layer per check (nothing shared to lock); destroy = nullptr: freed here, not by libspf2.
  SPF_dns_server_t dns{};
  dns.lookup = lookup;
  dns.name = "roost";
  dns.hook = &resolver;
  std::unique_ptr<SPF_server_t, decltype(&SPF_server_free)> server(SPF_server_new_dns(&dns, 0),
                                                                    SPF_server_free);
  if (!server) {
    out.verdict = SpfVerdict::TempError;
    return out;
  }
  std::unique_ptr<SPF_request_t, decltype(&SPF_request_free)> request(
      SPF_request_new(server.get()), SPF_request_free);
  std::string address = ip.to_string();
  SPF_errcode_t err = ip.v6 ? SPF_request_set_ipv6_str(request.get(), address.c_str())
                            : SPF_request_set_ipv4_str(request.get(), address.c_str());
  std::string helo_text(helo.empty() ? out.domain : std::string(helo));
  if (err == SPF_E_SUCCESS) err = SPF_request_set_helo_dom(request.get(), helo_text.c_str());
  if (err == SPF_E_SUCCESS && SPF_request_set_env_from(request.get(), out.sender.c_str()) != 0)
    err = SPF_E_INVALID_OPT;
  if (err != SPF_E_SUCCESS) {
    out.verdict = SpfVerdict::PermError;
    return out;
  }
  SPF_response_t* response = nullptr;
  SPF_request_query_mailfrom(request.get(), &response);
  if (response) {
    out.verdict = verdict_of(SPF_response_result(response));
    SPF_response_free(response);
  } else {
    out.verdict = SpfVerdict::TempError;
  }
  return out;
}

}  // namespace roost::mailauth
