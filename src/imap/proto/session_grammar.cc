// AUTHENTICATE, LOGIN, ENABLE, ID, COMPRESS and UID EXPUNGE arguments.
#include "imap/proto/command_grammar.h"
#include "imap/proto/sasl_response.h"

namespace roost::imap::grammar {

Result<CommandArgs> parse_authenticate(SyntaxReader& r) {
  AuthenticateArgs args;
  ROOST_TRY(r.sp());
  auto mech = r.upper_atom();
  if (!mech) return mech.error();
  args.mechanism = std::move(*mech);
  if (r.consume(' ')) {
    // RFC 4959 §7: initial-response = base64 / "=" (empty response).
    std::string_view rest = r.rest();
    if (rest == "=") {
      args.initial_response = std::string();
    } else {
      auto decoded = decode_base64(rest);
      if (!decoded || rest.empty()) return r.error("Invalid SASL initial response");
      args.initial_response = std::move(*decoded);
    }
    r.set_pos(r.pos() + rest.size());
  }
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_login(SyntaxReader& r) {
  LoginArgs args;
  ROOST_TRY(r.sp());
  auto user = r.astring();
  if (!user) return user.error();
  ROOST_TRY(r.sp());
  auto password = r.astring();
  if (!password) return password.error();
  ROOST_TRY(r.end());
  args.user = std::move(*user);
  args.password = std::move(*password);
  return args;
}

Result<CommandArgs> parse_enable(SyntaxReader& r) {
  EnableArgs args;
  do {  // RFC 5161 §3: enable = "ENABLE" 1*(SP capability)
    ROOST_TRY(r.sp());
    auto cap = r.upper_atom();
    if (!cap) return cap.error();
    args.capabilities.push_back(std::move(*cap));
  } while (!r.at_end());
  return args;
}

Result<CommandArgs> parse_id(SyntaxReader& r) {
  IdArgs args;
  ROOST_TRY(r.sp());
  if (r.consume_word("NIL")) {
    ROOST_TRY(r.end());
    return args;
  }
  ROOST_TRY(r.open());
  args.params.emplace();
  while (r.peek() != ')') {
    if (!args.params->empty()) ROOST_TRY(r.sp());
    auto key = r.string();
    if (!key) return key.error();
    ROOST_TRY(r.sp());
    auto value = r.nstring();
    if (!value) return value.error();
    args.params->emplace_back(std::move(*key), std::move(*value));
  }
  ROOST_TRY(r.close());
  ROOST_TRY(r.end());
  return args;
}

Result<CommandArgs> parse_compress(SyntaxReader& r) {
  ROOST_TRY(r.sp());
  auto mech = r.upper_atom();
  if (!mech) return mech.error();
  ROOST_TRY(r.end());
  return CompressArgs{std::move(*mech)};
}

Result<CommandArgs> parse_uid_expunge(SyntaxReader& r) {
  ROOST_TRY(r.sp());
  auto set = r.sequence_set();
  if (!set) return set.error();
  ROOST_TRY(r.end());
  return ExpungeArgs{std::move(*set)};
}

}  // namespace roost::imap::grammar
