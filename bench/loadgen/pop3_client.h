// Pop3Client: a minimal POP3 client (RFC 1939, RFC 2449 CAPA) over a Stream: single-line
// replies, dot-stuffed multi-line replies (bytes and lines counted, data dropped), and
// pipelined commands (send several, read the replies in order).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stream.h"

namespace roost::bench {

struct Pop3Reply {
  bool ok = false;
  std::string text;  // after "+OK " / "-ERR "
};

struct Pop3Body {
  uint64_t bytes = 0;  // after dot-unstuffing, CRLFs included
  uint64_t lines = 0;
};

class Pop3Client {
 public:
  explicit Pop3Client(std::unique_ptr<Stream> stream) : stream_(std::move(stream)) {}

  Task<void> read_greeting();  // throws unless "+OK"
  Task<Pop3Reply> command(std::string_view text);
  // A command with a multi-line answer (CAPA, UIDL, LIST, RETR, TOP); body is empty on -ERR.
  Task<Pop3Reply> multiline(std::string_view text, Pop3Body* body);

  // Pipelining: send() any number of commands, then read each reply in order.
  Task<void> send(std::string_view text);
  Task<Pop3Reply> read_reply();
  // The body of a multi-line reply; each line is also appended to *lines when given.
  Task<Pop3Body> read_body(std::vector<std::string>* lines = nullptr);
  Stream& stream() { return *stream_; }

 private:
  std::unique_ptr<Stream> stream_;
};

}  // namespace roost::bench
