// ImapClient: a minimal but correct IMAP4rev1/rev2 client over a Stream: tagged commands,
// literals inside responses (their bytes are counted and dropped), capabilities from the
// greeting and response codes, APPEND with LITERAL+ when advertised (else a synchronizing
// literal), and IDLE. A NO or BAD is a reply, not an error; a lost connection throws.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "stream.h"

namespace roost::bench {

struct ImapReply {
  std::string status;  // "OK", "NO" or "BAD"
  std::string text;    // the rest of the tagged line
  bool ok() const { return status == "OK"; }
};

// Sees each untagged response ("* ..."), literals replaced by their {n} announcement only.
using UntaggedHandler = std::function<void(std::string_view)>;

class ImapClient {
 public:
  explicit ImapClient(std::unique_ptr<Stream> stream) : stream_(std::move(stream)) {}

  Task<void> read_greeting();  // throws unless "* OK" or "* PREAUTH"
  Task<ImapReply> command(std::string_view text, const UntaggedHandler& on_untagged = {});
  Task<ImapReply> login(std::string_view user, std::string_view password);
  Task<ImapReply> append(std::string_view mailbox, std::string_view flags,
                         std::string_view message);

  // IDLE: true once the server sent its continuation; false when it refused IDLE.
  Task<bool> idle_start(const UntaggedHandler& on_untagged = {});
  // The next untagged response while idling (valid until the next read).
  Task<std::string_view> idle_next();
  Task<ImapReply> idle_done(const UntaggedHandler& on_untagged = {});

  bool has_capability(std::string_view name) const;
  uint64_t literal_bytes() const { return literal_bytes_; }
  Stream& stream() { return *stream_; }

 private:
  // One whole response: its lines joined, literal data dropped.
  Task<std::string_view> read_response();
  Task<ImapReply> read_until_tagged(const std::string& tag, const UntaggedHandler& on_untagged);
  std::string next_tag();
  void note_capabilities(std::string_view response);

  std::unique_ptr<Stream> stream_;
  uint64_t tag_counter_ = 0;
  std::string idle_tag_;
  std::string response_;
  std::set<std::string, std::less<>> capabilities_;
  uint64_t literal_bytes_ = 0;
};

// An IMAP quoted string ("..." with \ and " escaped).
std::string imap_quote(std::string_view s);
class LatencySet;

// Connects from source address number `index`, reads the greeting and logs in; LOGIN failures
// throw. Records "connect" (TCP + TLS handshake + greeting) and "LOGIN" into *latency if given.
Task<std::unique_ptr<ImapClient>> open_imap(Target& target, asio::any_io_executor ex, size_t index,
                                            std::string_view user, std::string_view password,
                                            LatencySet* latency);

// The number after "* " in "* 12 EXISTS" style responses when the keyword matches, else -1.
int64_t untagged_number(std::string_view response, std::string_view keyword);
// The value of "KEY n" inside a response (e.g. "UID 42" in a FETCH), else -1.
int64_t item_number(std::string_view response, std::string_view key);

}  // namespace roost::bench
