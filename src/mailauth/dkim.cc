#include "mailauth/dkim.h"

#include <fmt/format.h>
// dkim.h is C99 and spells bool _Bool.
#define _Bool bool
#include <opendkim/dkim.h>
#undef _Bool

#include <atomic>
#include <set>

namespace roost::mailauth {

namespace {

std::atomic<uint64_t> next_job{1};

std::string job_id() { return fmt::format("roost-{}", next_job++); }

u_char* bytes(std::string_view s) {
  return reinterpret_cast<u_char*>(const_cast<char*>(s.data()));
}

// What the key-lookup callback needs: dkim_get_user_context() hands it back.
struct VerifyContext {
  Resolver* resolver = nullptr;
  std::set<std::string> temp_failed;  // key names whose lookup failed for now
};

DKIM_CBSTAT lookup_key(DKIM* dkim, DKIM_SIGINFO* sig, u_char* buf, size_t buflen) {
  auto* ctx = static_cast<VerifyContext*>(dkim_get_user_context(dkim));
  const char* selector = reinterpret_cast<const char*>(dkim_sig_getselector(sig));
  const char* domain = reinterpret_cast<const char*>(dkim_sig_getdomain(sig));
  if (!ctx || !selector || !domain) return DKIM_CBSTAT_ERROR;
  std::string name = fmt::format("{}._domainkey.{}", selector, domain);
  auto answer = ctx->resolver->txt(name);
  if (!answer) {
    ctx->temp_failed.insert(name);
    return DKIM_CBSTAT_TRYAGAIN;
  }
  if (answer->records.empty()) return DKIM_CBSTAT_NOTFOUND;
  // RFC 6376 §3.6.2.2: with several records the outcome is undefined; take the first.
  const std::string& record = answer->records.front();
  if (record.size() + 1 > buflen) return DKIM_CBSTAT_ERROR;
  std::copy(record.begin(), record.end(), buf);
  buf[record.size()] = '\0';
  return DKIM_CBSTAT_CONTINUE;
}

std::string algorithm_name(DKIM_SIGINFO* sig) {
  dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
  dkim_sig_getsignalg(sig, &alg);
  switch (alg) {
    case DKIM_SIGN_RSASHA1: return "rsa-sha1";
    case DKIM_SIGN_RSASHA256: return "rsa-sha256";
    case DKIM_SIGN_ED25519SHA256: return "ed25519-sha256";
    default: return "";
  }
}

// RFC 6376 §6.1 outcomes in RFC 8601 words: a bad signature or body hash is "fail", a DNS
// failure "temperror", a missing key or a malformed signature "permerror".
DkimResult judge(DKIM* dkim, DKIM_SIGINFO* sig, const VerifyContext& ctx) {
  DkimResult r;
  const char* domain = reinterpret_cast<const char*>(dkim_sig_getdomain(sig));
  const char* selector = reinterpret_cast<const char*>(dkim_sig_getselector(sig));
  r.domain = domain ? domain : "";
  r.selector = selector ? selector : "";
  r.algorithm = algorithm_name(sig);
  unsigned int flags = dkim_sig_getflags(sig);
  if (!(flags & DKIM_SIGFLAG_PROCESSED)) {
    dkim_sig_process(dkim, sig);
    flags = dkim_sig_getflags(sig);
  }
  int error = dkim_sig_geterror(sig);
  if ((flags & DKIM_SIGFLAG_PASSED) && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH) {
    r.verdict = DkimVerdict::Pass;
    return r;
  }
  std::string key_name = r.selector + "._domainkey." + r.domain;
  if (error == DKIM_SIGERROR_KEYFAIL || ctx.temp_failed.count(key_name)) {
    r.verdict = DkimVerdict::TempError;
    r.reason = "the key could not be looked up in DNS";
  } else if (error == DKIM_SIGERROR_BADSIG || error == DKIM_SIGERROR_OK) {
    r.verdict = DkimVerdict::Fail;
    r.reason = dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH ? "the body was changed"
                                                          : "the signature does not match";
  } else {
    r.verdict = DkimVerdict::PermError;
    const char* text = dkim_sig_geterrorstr(static_cast<DKIM_SIGERROR>(error));
    r.reason = text ? text : "unusable signature";
  }
  return r;
}

}  // namespace

std::string_view to_string(DkimVerdict verdict) {
  switch (verdict) {
    case DkimVerdict::Pass: return "pass";
    case DkimVerdict::Fail: return "fail";
    case DkimVerdict::Neutral: return "neutral";
    case DkimVerdict::TempError: return "temperror";
    case DkimVerdict::PermError: return "permerror";
  }
  return "permerror";
}

Result<std::unique_ptr<Dkim>> Dkim::create() {
  DKIM_LIB* verifier = dkim_init(nullptr, nullptr);
  if (!verifier) return make_error(ErrorKind::Internal, "cannot start libopendkim");
  std::unique_ptr<Dkim> dkim(new Dkim(verifier));
  u_int flags = DKIM_LIBFLAGS_FIXCRLF;
  dkim_options(verifier, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags);
  dkim_set_key_lookup(verifier, lookup_key);
  if (!dkim_libfeature(verifier, DKIM_FEATURE_ED25519))
    return make_error(ErrorKind::Internal, "libopendkim was built without ed25519");
  return dkim;
}

Dkim::~Dkim() { dkim_close(verifier_); }

std::vector<DkimResult> Dkim::verify(std::string_view message, Resolver& resolver) {
  std::vector<DkimResult> results;
  DKIM_STAT status = DKIM_STAT_OK;
  std::string id = job_id();
  DKIM* job = dkim_verify(verifier_, bytes(id), nullptr, &status);
  if (!job) return results;
  std::unique_ptr<DKIM, decltype(&dkim_free)> guard(job, dkim_free);
  VerifyContext ctx{&resolver, {}};
  dkim_set_user_context(job, &ctx);
  status = dkim_chunk(job, bytes(message), message.size());
  if (status == DKIM_STAT_OK) status = dkim_chunk(job, nullptr, 0);
  if (status == DKIM_STAT_OK || status == DKIM_STAT_BADSIG || status == DKIM_STAT_CANTVRFY ||
      status == DKIM_STAT_NOKEY || status == DKIM_STAT_KEYFAIL || status == DKIM_STAT_REVOKED)
    dkim_eom(job, nullptr);
  DKIM_SIGINFO** sigs = nullptr;
  int count = 0;
  if (dkim_getsiglist(job, &sigs, &count) != DKIM_STAT_OK) return results;
  for (int i = 0; i < count; ++i) {
    if (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) continue;
    results.push_back(judge(job, sigs[i], ctx));
  }
  return results;
}

}  // namespace roost::mailauth
