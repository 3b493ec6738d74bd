#include "smtp/remote_delivery.h"

#include "base/log.h"
#include "mailauth/authenticator.h"
#include "mailauth/dkim_key.h"
#include "mailauth/dkim_signer.h"
#include "queue/bounce.h"

namespace roost::smtp {

namespace {

queue::Return return_of(DsnReturn ret) {
  switch (ret) {
    case DsnReturn::Full: return queue::Return::Full;
    case DsnReturn::Headers: return queue::Return::Headers;
    case DsnReturn::Unspecified: break;
  }
  return queue::Return::Unspecified;
}

// The queue's envelope for `m` (recipients not filled in).
queue::QueuedMessage draft_of(const OutboundMessage& m, std::string account) {
  queue::QueuedMessage draft;
  draft.sender = m.reverse_path.address();
  draft.account = std::move(account);
  draft.ret = return_of(m.params.ret);
  draft.envid = m.params.envid.value_or("");
  return draft;
}

constexpr bool same_bit(uint32_t smtp, uint32_t queued) { return smtp == queued; }
static_assert(same_bit(kNotifyNever, queue::kNotifyNever) &&
                  same_bit(kNotifySuccess, queue::kNotifySuccess) &&
                  same_bit(kNotifyFailure, queue::kNotifyFailure) &&
                  same_bit(kNotifyDelay, queue::kNotifyDelay),
              "the SMTP parser's NOTIFY bits are the queue's");

queue::QueuedRecipient queued_recipient(const OutboundRecipient& r) {
  queue::QueuedRecipient q;
  q.address = r.address.address();
  q.notify = static_cast<uint8_t>(r.dsn.notify);  // the same bits (checked above)
  q.orcpt = r.dsn.orcpt.value_or("");
  return q;
}

}  // namespace

Result<std::string> RemoteDelivery::account_name(store::AccountId id) const {
  if (id == 0) return std::string();
  auto owner = store_.get_account(id);
  if (!owner) return owner.error();
  return owner->name;
}

Status RemoteDelivery::enqueue(const OutboundMessage& m) {
  std::string message = m.prefix;
  message.reserve(m.prefix.size() + m.body->size());
  ROOST_TRY(m.body->for_each_chunk([&](std::string_view chunk) {
    message.append(chunk);
    return ok();
  }));
  auto name = account_name(m.account);
  if (!name) return name.error();
  std::string account = *name;
  // RFC 6376 §5: the signer is the From: domain's; submission already checked it is the
  // account's own address.
  if (m.account != 0) message.insert(0, sign(message));
  queue::QueuedMessage draft = draft_of(m, account);
  for (const auto& r : m.recipients) draft.recipients.push_back(queued_recipient(r));
  auto queued = queue_.enqueue(std::move(draft), message);
  if (!queued) return queued.error();
  return ok();
}

std::string RemoteDelivery::sign(std::string_view message) const {
  auto keys = mailauth::DkimKeyring::load(dkim_dir_);
  if (!keys) {
    log::warn("smtp.dkim_keys_unreadable", {{"error", keys.error().describe()}});
    return "";
  }
  std::string domain = mailauth::from_domain(message);
  std::vector<const mailauth::DkimKey*> signing = keys->keys_for(domain);
  // A parent domain's keys, but never a bare top-level domain's.
  for (size_t dot = domain.find('.'); signing.empty() && dot != std::string::npos;
       dot = domain.find('.')) {
    domain.erase(0, dot + 1);
    if (domain.find('.') == std::string::npos) break;
    signing = keys->keys_for(domain);
  }
  std::string signatures;
  for (const mailauth::DkimKey* key : signing) {
    auto field = mailauth::dkim_sign(message, *key, clock_.now_unix());
    if (!field) {
      log::warn("smtp.dkim_sign_failed", {{"domain", key->domain},
                                          {"selector", key->selector},
                                          {"error", field.error().describe()}});
      continue;
    }
    signatures += *field;
  }
  return signatures;
}

Status RemoteDelivery::report(const OutboundMessage& m, const std::vector<LocalOutcome>& outcomes) {
  // RFC 3464 §2: nothing reports to the null sender.
  if (m.reverse_path.is_null()) return ok();
  auto account = account_name(m.account);
  if (!account) return account.error();
  int64_t now = clock_.now_unix();
  queue::QueuedMessage report = draft_of(m, *account);
  report.id = queue::new_queue_id(now);
  report.created = now;
  std::vector<size_t> delivered, failed;
  for (const LocalOutcome& o : outcomes) {
    queue::QueuedRecipient r = queued_recipient(o.recipient);
    bool wanted = queue::wants_report(r.notify, o.delivered ? queue::kNotifySuccess
                                                            : queue::kNotifyFailure);
    if (!wanted) continue;
    r.state = o.delivered ? queue::QueuedRecipient::State::Delivered
                          : queue::QueuedRecipient::State::Failed;
    r.reply = o.text;
    (o.delivered ? delivered : failed).push_back(report.recipients.size());
    report.recipients.push_back(std::move(r));
  }
  if (delivered.empty() && failed.empty()) return ok();
  // Only the header is quoted, unless a failure report must return it whole (RET=FULL): read
  // chunks until the header's end has been seen (each chunk searched once).
  std::string original = m.prefix;
  bool whole = report.ret == queue::Return::Full;
  bool header_seen = false;
  ROOST_TRY(m.body->for_each_chunk([&](std::string_view chunk) {
    if (header_seen && !whole) return ok();
    size_t from = original.size() < 3 ? 0 : original.size() - 3;
    original.append(chunk);
    header_seen = header_seen || original.find("\r\n\r\n", from) != std::string::npos;
    return ok();
  }));
  const queue::OutboundOptions& options = queue_.options();
  queue::BounceContext ctx{options.hostname, now, false, options.max_age_seconds};
  ctx.local = true;
  for (auto [kind, which] : {std::pair{queue::ReportKind::Delivered, &delivered},
                             std::pair{queue::ReportKind::Failed, &failed}}) {
    if (which->empty()) continue;
    ctx.kind = kind;
    ROOST_TRY(queue_.send_report(report.account, report.sender,
                                 queue::build_report(report, original, *which, ctx)));
    log::info("smtp.reported", {{"kind", kind == queue::ReportKind::Delivered ? "delivered" : "failed"},
                                {"sender", report.sender},
                                {"recipients", std::to_string(which->size())}});
  }
  return ok();
}

}  // namespace roost::smtp
