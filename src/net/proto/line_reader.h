// LineReader: the pure, push-style, bounded framing layer shared by IMAP, POP3, SMTP and LMTP.
// feed() appends bytes; next() yields lines (CRLF or bare LF stripped), one TooLong per
// over-long line, or, after expect_literal(n), the literal's bytes in bounded chunks then
// LiteralEnd. No I/O, no allocation beyond the buffer. Not thread-safe (one per connection).
// Memory bound: call feed() only after next() returned NeedMore; the buffer then never holds
// more than max_line_length + 1 plus one feed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::net {

struct ReaderLimits {
  size_t max_line_length = 8192;  // bytes of a line, excluding CRLF
  size_t max_chunk = 64 * 1024;   // largest LiteralChunk handed out at once
};

enum class ReadKind {
  NeedMore,      // feed more bytes
  Line,          // data = the line without CR LF
  TooLong,       // a line exceeded max_line_length; it is being discarded up to its LF
  LiteralChunk,  // data = next 1..max_chunk bytes of the literal
  LiteralEnd,    // the literal is complete; back in line mode
};
std::string_view to_string(ReadKind kind);

struct ReadEvent {
  ReadKind kind = ReadKind::NeedMore;
  std::string_view data;  // valid until the next feed(), next() or take_buffered()
};

class LineReader {
 public:
  explicit LineReader(ReaderLimits limits = {});

  void feed(std::string_view bytes);
  ReadEvent next();

  // Switches to literal mode for the next `size` bytes (RFC 9051 §4.3 literals, RFC 3030 BDAT).
  // Only valid in line mode (not inside a literal): otherwise Internal.
  Status expect_literal(uint64_t size);
  bool in_literal() const { return in_literal_; }
  uint64_t literal_remaining() const { return literal_remaining_; }

  // Bytes fed but not yet handed out. STARTTLS must discard them: anything pipelined after the
  // command was sent in clear text (RFC 3207 §4.2, RFC 2595 §3.1, RFC 9051 §6.2.1).
  bool has_buffered() const { return pos_ < buffer_.size(); }
  size_t buffered_size() const { return buffer_.size() - pos_; }
  // Returns and forgets everything buffered; also ends a TooLong discard. Literal state is kept.
  std::string take_buffered();
  // Drops the bytes already handed out and, when nothing unread is left, frees the buffer, so a
  // connection waiting for its client keeps no buffer from the last burst (a large literal).
  // Invalidates views like feed().
  void release_consumed();
  size_t capacity() const { return buffer_.capacity(); }

  const ReaderLimits& limits() const { return limits_; }

 private:
  void compact();

  ReaderLimits limits_;
  std::string buffer_;
  size_t pos_ = 0;           // first byte not yet handed out
  size_t scanned_ = 0;       // bytes after pos_ already known to hold no LF
  bool discarding_ = false;  // inside an over-long line, dropping up to its LF
  bool in_literal_ = false;
  uint64_t literal_remaining_ = 0;
};

}  // namespace roost::net
