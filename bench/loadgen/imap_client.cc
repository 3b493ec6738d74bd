#include "imap_client.h"

#include <cctype>
#include <charconv>
#include <stdexcept>

#include "latency.h"

namespace roost::bench {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Size of the literal announced at the end of a response line ("{12}", "{12+}", "~{12}").
std::optional<size_t> trailing_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  size_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return n;
}

}  // namespace

std::string imap_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

int64_t untagged_number(std::string_view response, std::string_view keyword) {
  if (!response.starts_with("* ")) return -1;
  std::string_view rest = response.substr(2);
  size_t space = rest.find(' ');
  if (space == std::string_view::npos) return -1;
  std::string_view word = rest.substr(space + 1);
  if (word.size() < keyword.size()) return -1;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return -1;
  }
  if (word.size() > keyword.size() && word[keyword.size()] != ' ') return -1;
  int64_t n = -1;
  std::from_chars(rest.data(), rest.data() + space, n);
  return n;
}

int64_t item_number(std::string_view response, std::string_view key) {
  size_t pos = 0;
  while ((pos = response.find(key, pos)) != std::string_view::npos) {
    bool starts = pos > 0 && (response[pos - 1] == ' ' || response[pos - 1] == '(' ||
                              response[pos - 1] == '[');
    size_t after = pos + key.size();
    if (starts && after < response.size() && response[after] == ' ') {
      int64_t n = -1;
      auto [end, ec] =
          std::from_chars(response.data() + after + 1, response.data() + response.size(), n);
      if (ec == std::errc()) return n;
    }
    pos = after;
  }
  return -1;
}

Task<std::unique_ptr<ImapClient>> open_imap(Target& target, asio::any_io_executor ex, size_t index,
                                            std::string_view user, std::string_view password,
                                            LatencySet* latency) {
  auto t0 = SteadyClock::now();
  auto client = std::make_unique<ImapClient>(co_await target.connect(ex, index));
  co_await client->read_greeting();
  auto t1 = SteadyClock::now();
  ImapReply reply = co_await client->login(user, password);
  if (latency != nullptr) {
    latency->add("connect", t1 - t0);
    latency->add("LOGIN", SteadyClock::now() - t1);
  }
  if (!reply.ok()) {
    throw std::runtime_error("LOGIN " + std::string(user) + " failed: " + reply.status + " " +
                             reply.text.substr(0, 200));
  }
  co_return client;
}

std::string ImapClient::next_tag() { return "a" + std::to_string(++tag_counter_); }

bool ImapClient::has_capability(std::string_view name) const {
  return capabilities_.contains(upper(name));
}

void ImapClient::note_capabilities(std::string_view response) {
  std::string_view list;
  if (size_t at = response.find("[CAPABILITY "); at != std::string_view::npos) {
    list = response.substr(at + 12);
    list = list.substr(0, list.find(']'));
  } else if (response.starts_with("* CAPABILITY ")) {
    list = response.substr(13);
  } else {
    return;
  }
  capabilities_.clear();
  while (!list.empty()) {
    size_t space = list.find(' ');
    std::string_view word = list.substr(0, space);
    if (!word.empty()) capabilities_.insert(upper(word));
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
}

Task<std::string_view> ImapClient::read_response() {
  response_.clear();
  for (;;) {
    std::string_view line = co_await stream_->read_line();
    response_.append(line);
    auto literal = trailing_literal(line);
    if (!literal) break;
    co_await stream_->read_exact(*literal, nullptr);
    literal_bytes_ += *literal;
  }
  co_return std::string_view(response_);
}

Task<void> ImapClient::read_greeting() {
  std::string_view greeting = co_await read_response();
  if (!greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH")) {
    throw std::runtime_error("bad IMAP greeting: " + std::string(greeting.substr(0, 200)));
  }
  note_capabilities(greeting);
}

Task<ImapReply> ImapClient::read_until_tagged(const std::string& tag,
                                              const UntaggedHandler& on_untagged) {
  for (;;) {
    std::string_view r = co_await read_response();
    if (r.starts_with("* ")) {
      note_capabilities(r);
      if (on_untagged) on_untagged(r);
      continue;
    }
    if (r.size() > tag.size() && r.starts_with(tag) && r[tag.size()] == ' ') {
      note_capabilities(r);
      std::string_view rest = r.substr(tag.size() + 1);
      size_t space = rest.find(' ');
      ImapReply reply{upper(rest.substr(0, space)),
                      space == std::string_view::npos ? "" : std::string(rest.substr(space + 1))};
      co_return reply;
    }
    // A stray continuation request or an older tag's answer: not ours, skip it.
  }
}

Task<ImapReply> ImapClient::command(std::string_view text, const UntaggedHandler& on_untagged) {
  std::string tag = next_tag();
  co_await stream_->write(tag, " ", std::string(text) + "\r\n");
  co_return co_await read_until_tagged(tag, on_untagged);
}

Task<ImapReply> ImapClient::login(std::string_view user, std::string_view password) {
  co_return co_await command("LOGIN " + imap_quote(user) + " " + imap_quote(password));
}

Task<ImapReply> ImapClient::append(std::string_view mailbox, std::string_view flags,
                                   std::string_view message) {
  std::string tag = next_tag();
  // RFC 7888: LITERAL+ lets the client send the literal without waiting for "+".
  bool non_sync =
      has_capability("LITERAL+") || (has_capability("LITERAL-") && message.size() <= 4096);
  std::string head = tag + " APPEND " + imap_quote(mailbox);
  if (!flags.empty()) head += " (" + std::string(flags) + ")";
  head += " {" + std::to_string(message.size()) + (non_sync ? "+}\r\n" : "}\r\n");
  if (non_sync) {
    co_await stream_->write(head, message, "\r\n");
    co_return co_await read_until_tagged(tag, {});
  }
  co_await stream_->write(head);
  for (;;) {
    std::string_view r = co_await read_response();
    if (r.starts_with("+")) break;
    if (r.starts_with(tag + " ")) {  // refused before the literal (too big, no mailbox)
      std::string_view rest = r.substr(tag.size() + 1);
      size_t space = rest.find(' ');
      co_return ImapReply{upper(rest.substr(0, space)), std::string(rest.substr(space + 1))};
    }
  }
  co_await stream_->write(message, "\r\n", {});
  co_return co_await read_until_tagged(tag, {});
}

Task<bool> ImapClient::idle_start(const UntaggedHandler& on_untagged) {
  idle_tag_ = next_tag();
  co_await stream_->write(idle_tag_, " IDLE\r\n", {});
  for (;;) {
    std::string_view r = co_await read_response();
    if (r.starts_with("+")) co_return true;
    if (r.starts_with("* ")) {
      if (on_untagged) on_untagged(r);
      continue;
    }
    if (r.starts_with(idle_tag_ + " ")) co_return false;
  }
}

Task<std::string_view> ImapClient::idle_next() { co_return co_await read_response(); }

Task<ImapReply> ImapClient::idle_done(const UntaggedHandler& on_untagged) {
  co_await stream_->write("DONE\r\n");
  co_return co_await read_until_tagged(idle_tag_, on_untagged);
}

}  // namespace roost::bench
