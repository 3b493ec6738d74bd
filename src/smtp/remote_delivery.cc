#include "smtp/remote_delivery.h"

#include "base/log.h"
#include "mailauth/authenticator.h"
#include "mailauth/dkim_key.h"
#include "mailauth/dkim_signer.h"

namespace roost::smtp {

Status RemoteDelivery::enqueue(const OutboundMessage& m) {
  std::string message = m.prefix;
  message.reserve(m.prefix.size() + m.body->size());
  ROOST_TRY(m.body->for_each_chunk([&](std::string_view chunk) {
    message.append(chunk);
    return ok();
  }));
  std::string account;
  if (m.account != 0) {
    auto owner = store_.get_account(m.account);
    if (!owner) return owner.error();
    account = owner->name;
    // RFC 6376 §5: the signer is the From: domain's; submission already checked it is the
    // account's own address.
    auto keys = mailauth::DkimKeyring::load(dkim_dir_);
    if (!keys) return keys.error();
    std::string signatures;
    for (const mailauth::DkimKey* key : keys->keys_for(mailauth::from_domain(message))) {
      auto field = mailauth::dkim_sign(message, *key, clock_.now_unix());
      if (!field) {
        log::warn("smtp.dkim_sign_failed", {{"domain", key->domain},
                                            {"selector", key->selector},
                                            {"error", field.error().describe()}});
        continue;
      }
      signatures += *field;
    }
    message.insert(0, signatures);
  }
  std::vector<std::string> recipients;
  for (const auto& r : m.recipients) recipients.push_back(r.address.address());
  auto queued = queue_.enqueue(m.reverse_path.address(), account, recipients, message);
  if (!queued) return queued.error();
  return ok();
}

}  // namespace roost::smtp
