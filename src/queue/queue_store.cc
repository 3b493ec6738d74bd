#include "queue/queue_store.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <optional>

#include "base/xtext.h"

namespace roost::queue {

namespace {

constexpr std::string_view kMessage = ".msg", kEnvelope = ".env";

// Envelope lines are "key value"; replies lose CR/LF so every value stays on its line.
std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return out;
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() < 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

}  // namespace

std::string new_queue_id(int64_t now) {
  unsigned char random[6];
  RAND_bytes(random, sizeof random);
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string id = fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}-", tm.tm_year + 1900, tm.tm_mon + 1,
                               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  for (unsigned char b : random) id += fmt::format("{:02x}", b);
  return id;
}


std::string_view to_string(QueuedRecipient::State state) {
  switch (state) {
    case QueuedRecipient::State::Pending: return "pending";
    case QueuedRecipient::State::Delivered: return "delivered";
    case QueuedRecipient::State::Failed: return "failed";
  }
  return "pending";
}

bool wants_report(uint8_t notify, Notify bit) {
  if (notify == 0) return bit == kNotifyFailure || bit == kNotifyDelay;
  return (notify & bit) != 0;
}

std::string notify_keywords(uint8_t notify) {
  if (notify & kNotifyNever) return "NEVER";
  std::string out;
  for (auto [bit, name] : {std::pair{kNotifySuccess, "SUCCESS"}, std::pair{kNotifyFailure, "FAILURE"},
                           std::pair{kNotifyDelay, "DELAY"}}) {
    if (!(notify & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

namespace {

std::optional<uint8_t> parse_notify(std::string_view text) {
  uint8_t bits = 0;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = std::min(text.find(',', at), text.size());
    std::string_view item = text.substr(at, comma - at);
    if (item == "NEVER") bits |= kNotifyNever;
    else if (item == "SUCCESS") bits |= kNotifySuccess;
    else if (item == "FAILURE") bits |= kNotifyFailure;
    else if (item == "DELAY") bits |= kNotifyDelay;
    else return std::nullopt;
    at = comma + 1;
  }
  return bits;
}

}  // namespace

bool QueuedMessage::done() const {
  return std::none_of(recipients.begin(), recipients.end(), [](const QueuedRecipient& r) {
    return r.state == QueuedRecipient::State::Pending;
  });
}

std::string format_envelope(const QueuedMessage& m) {
  std::string out = "roost-queue 1\n";
  out += fmt::format("sender {}\naccount {}\ncreated {}\nnext {}\nattempts {}\nsize {}\n",
                     one_line(m.sender), one_line(m.account), m.created, m.next_attempt, m.attempts,
                     m.size);
  if (m.ret != Return::Unspecified) out += m.ret == Return::Full ? "ret full\n" : "ret hdrs\n";
  if (!m.envid.empty()) out += fmt::format("envid {}\n", xtext_encode(m.envid));
  if (m.delay_reported) out += "delay-reported 1\n";
  for (const auto& r : m.recipients) {
    out += fmt::format("rcpt {} {}\n", to_string(r.state), one_line(r.address));
    if (r.notify != 0) out += fmt::format("notify {}\n", notify_keywords(r.notify));
    if (!r.orcpt.empty()) out += fmt::format("orcpt {}\n", xtext_encode(r.orcpt));
    if (r.reported) out += "reported 1\n";
    if (!r.reply.empty()) out += fmt::format("reply {}\n", one_line(r.reply));
  }
  return out;
}

Result<QueuedMessage> parse_envelope(std::string_view id, std::string_view text) {
  QueuedMessage m;
  m.id = std::string(id);
  auto corrupt = [&](std::string_view why) {
    return make_error(ErrorKind::Corrupt, "damaged queue entry", fmt::format("{}: {}", id, why));
  };
  bool header = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) return corrupt("truncated");
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    size_t space = line.find(' ');
    std::string_view key = line.substr(0, space);
    std::string value(space == std::string_view::npos ? "" : line.substr(space + 1));
    auto number = [&](int64_t& out) {
      try {
        out = std::stoll(value);
        return true;
      } catch (...) {
        return false;
      }
    };
    int64_t n = 0;
    if (key == "roost-queue") {
      header = value == "1";
    } else if (key == "sender") {
      m.sender = value;
    } else if (key == "account") {
      m.account = value;
    } else if (key == "created" && number(n)) {
      m.created = n;
    } else if (key == "next" && number(n)) {
      m.next_attempt = n;
    } else if (key == "attempts" && number(n)) {
      m.attempts = n;
    } else if (key == "size" && number(n)) {
      m.size = static_cast<uint64_t>(n);
    } else if (key == "rcpt") {
      size_t sp = value.find(' ');
      if (sp == std::string::npos) return corrupt("bad rcpt line");
      QueuedRecipient r;
      std::string state = value.substr(0, sp);
      r.address = value.substr(sp + 1);
      if (state == "pending") r.state = QueuedRecipient::State::Pending;
      else if (state == "delivered") r.state = QueuedRecipient::State::Delivered;
      else if (state == "failed") r.state = QueuedRecipient::State::Failed;
      else return corrupt("bad recipient state");
      m.recipients.push_back(std::move(r));
    } else if (key == "ret" && (value == "full" || value == "hdrs")) {
      m.ret = value == "full" ? Return::Full : Return::Headers;
    } else if (key == "envid") {
      auto decoded = xtext_decode(value);
      if (!decoded) return corrupt("bad envid");
      m.envid = std::move(*decoded);
    } else if (key == "delay-reported") {
      m.delay_reported = value == "1";
    } else if (key == "reply" && !m.recipients.empty()) {
      m.recipients.back().reply = value;
    } else if (key == "notify" && !m.recipients.empty()) {
      auto bits = parse_notify(value);
      if (!bits) return corrupt("bad notify line");
      m.recipients.back().notify = *bits;
    } else if (key == "orcpt" && !m.recipients.empty()) {
      auto decoded = xtext_decode(value);
      if (!decoded) return corrupt("bad orcpt");
      m.recipients.back().orcpt = std::move(*decoded);
    } else if (key == "reported" && !m.recipients.empty()) {
      m.recipients.back().reported = value == "1";
    } else {
      return corrupt(fmt::format("unexpected line \"{}\"", line));
    }
  }
  if (!header || m.recipients.empty()) return corrupt("not a queue envelope");
  return m;
}

Result<QueueStore> QueueStore::open(std::string dir, bool repair, Env& env) {
  ROOST_TRY(env.make_dirs(dir));
  QueueStore store(std::move(dir), env);
  if (!repair) return store;
  auto names = env.list_dir(store.dir_);
  if (!names) return names.error();
  // A crash while queueing leaves temp files or a message without its envelope: never
  // acknowledged, so removed.
  for (const auto& name : *names) {
    bool is_message = name.ends_with(kMessage);
    std::string id = name.substr(0, name.size() - (is_message ? kMessage.size() : 0));
    if (name.find(".tmp.") != std::string::npos || (is_message && !env.exists(store.path(id, kEnvelope)))) {
      (void)env.remove(store.dir_ + "/" + name);
    }
  }
  return store;
}

std::string QueueStore::path(std::string_view id, std::string_view ext) const {
  return fmt::format("{}/{}{}", dir_, id, ext);
}

Result<QueuedMessage> QueueStore::enqueue(std::string sender, std::string account,
                                          const std::vector<std::string>& recipients,
                                          std::string_view message, int64_t now) {
  QueuedMessage draft;
  draft.sender = std::move(sender);
  draft.account = std::move(account);
  for (const auto& r : recipients) draft.recipients.emplace_back(r);
  return enqueue(std::move(draft), message, now);
}

Result<QueuedMessage> QueueStore::enqueue(QueuedMessage m, std::string_view message, int64_t now) {
  if (m.recipients.empty()) return make_error(ErrorKind::Syntax, "no recipients to queue");
  m.id = new_queue_id(now);
  m.created = m.next_attempt = now;
  m.attempts = 0;
  m.size = message.size();
  m.delay_reported = false;
  for (auto& r : m.recipients) {
    r.state = QueuedRecipient::State::Pending;
    r.reply.clear();
    r.reported = false;
  }
  // The message first, the envelope last: the envelope's arrival is the commit.
  ROOST_TRY(env_->write_file_atomic(path(m.id, kMessage), message));
  ROOST_TRY(env_->write_file_atomic(path(m.id, kEnvelope), format_envelope(m)));
  return m;
}

Result<std::vector<QueuedMessage>> QueueStore::list() const {
  auto names = env_->list_dir(dir_);
  if (!names) return names.error();
  std::vector<QueuedMessage> out;
  for (const auto& name : *names) {
    if (!name.ends_with(kEnvelope)) continue;
    auto m = get(name.substr(0, name.size() - kEnvelope.size()));
    if (m) out.push_back(std::move(*m));
    else if (m.error().kind != ErrorKind::NotFound) return m.error();
  }
  std::sort(out.begin(), out.end(), [](const QueuedMessage& a, const QueuedMessage& b) {
    return std::tie(a.created, a.id) < std::tie(b.created, b.id);
  });
  return out;
}

Result<QueuedMessage> QueueStore::get(std::string_view id) const {
  if (!valid_id(id)) return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", id));
  auto text = env_->read_file(path(id, kEnvelope));
  if (!text) {
    if (text.error().kind == ErrorKind::NotFound)
      return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", id));
    return text.error();
  }
  return parse_envelope(id, *text);
}

Result<std::string> QueueStore::read_message(std::string_view id) const {
  if (!valid_id(id)) return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", id));
  return env_->read_file(path(id, kMessage));
}

Status QueueStore::update(const QueuedMessage& message) {
  if (!env_->exists(path(message.id, kEnvelope)))
    return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", message.id));
  return env_->write_file_atomic(path(message.id, kEnvelope), format_envelope(message));
}

Status QueueStore::remove(std::string_view id) {
  if (!valid_id(id)) return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", id));
  // The envelope first: without it the message file is an orphan open() collects.
  auto st = env_->remove(path(id, kEnvelope));
  if (!st) {
    if (st.error().kind == ErrorKind::NotFound)
      return make_error(ErrorKind::NotFound, fmt::format("no queued message {}", id));
    return st;
  }
  (void)env_->remove(path(id, kMessage));
  return env_->sync_dir(dir_);
}

}  // namespace roost::queue
