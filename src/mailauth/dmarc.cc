#include "mailauth/dmarc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include <libpsl.h>
#include <opendmarc/dmarc.h>

#include <random>

#include "mailauth/text.h"

namespace roost::mailauth {

namespace {

std::once_flag init_once;
Status init_status = ok();
psl_ctx_t* suffixes = nullptr;

u_char* text(std::string& s) { return reinterpret_cast<u_char*>(s.data()); }

// The DMARC record at _dmarc.<domain>: exactly one TXT record starting "v=DMARC1" (§6.6.3).
Result<std::string> find_record(Resolver& resolver, const std::string& domain) {
  auto answer = resolver.txt("_dmarc." + domain);
  if (!answer) return answer.error();
  std::vector<std::string> records;
  for (const auto& record : answer->records) {
    if (ascii_lower(record.substr(0, 8)) == "v=dmarc1") records.push_back(record);
  }
  return records.size() == 1 ? records.front() : std::string();
}

}  // namespace

std::string_view to_string(DmarcVerdict verdict) {
  switch (verdict) {
    case DmarcVerdict::None: return "none";
    case DmarcVerdict::Pass: return "pass";
    case DmarcVerdict::Fail: return "fail";
    case DmarcVerdict::TempError: return "temperror";
    case DmarcVerdict::PermError: return "permerror";
  }
  return "permerror";
}

Status dmarc_init() {
  std::call_once(init_once, [] {
    suffixes = psl_latest(nullptr);
    OPENDMARC_LIB_T lib{};
    lib.tld_type = OPENDMARC_TLD_TYPE_NONE;
    if (!suffixes) {
      init_status = make_error(ErrorKind::Internal, "cannot load the Public Suffix List");
    } else if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY) {
      init_status = make_error(ErrorKind::Internal, "cannot start libopendmarc");
    }
  });
  return init_status;
}

std::string organizational_domain(std::string_view domain) {
  std::string in = ascii_lower(domain);
  if (!in.empty() && in.back() == '.') in.pop_back();
  const char* registrable = suffixes ? psl_registrable_domain(suffixes, in.c_str()) : nullptr;
  return registrable ? std::string(registrable) : in;
}

namespace {

// RFC 7489 §3.1: strict = the same name; relaxed = the same organizational domain.
bool aligned(std::string_view authenticated, std::string_view from, bool strict) {
  std::string a = ascii_lower(authenticated), f = ascii_lower(from);
  if (a.empty()) return false;
  return strict ? a == f : organizational_domain(a) == organizational_domain(f);
}

}  // namespace

DmarcResult evaluate_dmarc(Resolver& resolver, const IpAddress& ip, std::string_view from_domain,
                           const SpfResult& spf, const std::vector<DkimResult>& dkim) {
  DmarcResult out;
  out.from_domain = ascii_lower(from_domain);
  if (out.from_domain.empty()) return out;
  std::string org = organizational_domain(out.from_domain);
  auto record = find_record(resolver, out.from_domain);
  std::string record_domain = out.from_domain;
  if (record && record->empty() && org != out.from_domain) {
    record = find_record(resolver, org);
    record_domain = org;
  }
  if (!record) {
    out.verdict = DmarcVerdict::TempError;
    return out;
  }
  if (record->empty()) return out;  // no policy published: dmarc=none

  std::string address = ip.to_string();
  std::unique_ptr<DMARC_POLICY_T, decltype(&opendmarc_policy_connect_shutdown)> ctx(
      opendmarc_policy_connect_init(text(address), ip.v6 ? DMARC_POLICY_IP_TYPE_IPV6
                                                          : DMARC_POLICY_IP_TYPE_IPV4),
      opendmarc_policy_connect_shutdown);
  if (!ctx) {
    out.verdict = DmarcVerdict::TempError;
    return out;
  }
  if (opendmarc_policy_parse_dmarc(ctx.get(), text(record_domain), text(*record)) !=
      DMARC_PARSE_OKAY) {
    out.verdict = DmarcVerdict::PermError;
    return out;
  }
  int p = 0, sp = 0, adkim = 0, aspf = 0, pct = 100;
  opendmarc_policy_fetch_p(ctx.get(), &p);
  opendmarc_policy_fetch_sp(ctx.get(), &sp);
  opendmarc_policy_fetch_adkim(ctx.get(), &adkim);
  opendmarc_policy_fetch_aspf(ctx.get(), &aspf);
  opendmarc_policy_fetch_pct(ctx.get(), &pct);
  // §6.3: sp= governs mail from subdomains found through the organizational record.
  int policy = record_domain != out.from_domain && sp != DMARC_RECORD_P_UNSPECIFIED ? sp : p;
  auto name = [](int v) {
    return v == DMARC_RECORD_P_REJECT ? "reject" : v == DMARC_RECORD_P_QUARANTINE ? "quarantine" : "none";
  };
  out.policy = name(policy);

  bool pass = spf.verdict == SpfVerdict::Pass &&
              aligned(spf.domain, out.from_domain, aspf == DMARC_RECORD_A_STRICT);
  for (const DkimResult& r : dkim) {
    pass = pass || (r.verdict == DkimVerdict::Pass &&
                    aligned(r.domain, out.from_domain, adkim == DMARC_RECORD_A_STRICT));
  }
  if (pass) {
    out.verdict = DmarcVerdict::Pass;
    return out;
  }
  bool temporary = spf.verdict == SpfVerdict::TempError ||
                   std::any_of(dkim.begin(), dkim.end(),
                               [](const DkimResult& r) { return r.verdict == DkimVerdict::TempError; });
  if (temporary) {
    out.verdict = DmarcVerdict::TempError;  // §6.6.2: judge later, not fail now
    return out;
  }
  out.verdict = DmarcVerdict::Fail;
  // §6.6.4: pct= samples the failing mail the policy applies to; the rest gets the next milder
  // treatment.
  static thread_local std::mt19937 random{std::random_device{}()};
  bool sampled = pct >= 100 || static_cast<int>(random() % 100) < pct;
  if (policy == DMARC_RECORD_P_REJECT) {
    out.disposition = sampled ? DmarcDisposition::Reject : DmarcDisposition::Quarantine;
  } else if (policy == DMARC_RECORD_P_QUARANTINE && sampled) {
    out.disposition = DmarcDisposition::Quarantine;
  }
  return out;
}

}  // namespace roost::mailauth
