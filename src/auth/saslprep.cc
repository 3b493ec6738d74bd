#include "auth/saslprep.h"

#include <unicode/usprep.h>
#include <unicode/ustring.h>

#include <memory>
#include <vector>

namespace roost::auth {
namespace {

struct ProfileCloser {
  void operator()(UStringPrepProfile* profile) const { usprep_close(profile); }
};

bool plain_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Error refused(const char* why) {
  return make_error(ErrorKind::Syntax, "password is not a valid SASLprep string", why);
}

}  // namespace

Result<std::string> saslprep(std::string_view text) {
  // RFC 4013 maps, normalizes and checks only non-ASCII or control characters; printable
  // ASCII (by far the common case) is its own result.
  if (plain_ascii(text)) return std::string(text);

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UStringPrepProfile, ProfileCloser> profile(
      usprep_openByType(USPREP_RFC4013_SASLPREP, &status));
  if (U_FAILURE(status))
    return make_error(ErrorKind::Internal, "SASLprep profile unavailable", u_errorName(status));

  int32_t utf16_len = 0;
  status = U_ZERO_ERROR;
  u_strFromUTF8(nullptr, 0, &utf16_len, text.data(), static_cast<int32_t>(text.size()), &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return refused(u_errorName(status));
  std::vector<UChar> utf16(static_cast<size_t>(utf16_len) + 1);
  status = U_ZERO_ERROR;
  u_strFromUTF8(utf16.data(), static_cast<int32_t>(utf16.size()), nullptr, text.data(),
                static_cast<int32_t>(text.size()), &status);
  if (U_FAILURE(status)) return refused(u_errorName(status));

  // Mapping can grow the text (NFKC), so ask for the size first.
  status = U_ZERO_ERROR;
  int32_t prepped_len = usprep_prepare(profile.get(), utf16.data(), utf16_len, nullptr, 0,
                                       USPREP_DEFAULT, nullptr, &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return refused(u_errorName(status));
  std::vector<UChar> prepped(static_cast<size_t>(prepped_len) + 1);
  status = U_ZERO_ERROR;
  usprep_prepare(profile.get(), utf16.data(), utf16_len, prepped.data(),
                 static_cast<int32_t>(prepped.size()), USPREP_DEFAULT, nullptr, &status);
  if (U_FAILURE(status)) return refused(u_errorName(status));

  int32_t out_len = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8(nullptr, 0, &out_len, prepped.data(), prepped_len, &status);
  if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return refused(u_errorName(status));
  std::string out(static_cast<size_t>(out_len), '\0');
  status = U_ZERO_ERROR;
  u_strToUTF8(out.data(), out_len, nullptr, prepped.data(), prepped_len, &status);
  if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) {
    return refused(u_errorName(status));
  }
  return out;
}

}  // namespace roost::auth
