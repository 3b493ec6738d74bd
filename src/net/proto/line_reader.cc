#include "net/proto/line_reader.h"

#include <algorithm>
#include <cstring>

namespace roost::net {

std::string_view to_string(ReadKind kind) {
  switch (kind) {
    case ReadKind::NeedMore:
      return "need_more";
    case ReadKind::Line:
      return "line";
    case ReadKind::TooLong:
      return "too_long";
    case ReadKind::LiteralChunk:
      return "literal_chunk";
    case ReadKind::LiteralEnd:
      return "literal_end";
  }
  return "unknown";
}

LineReader::LineReader(ReaderLimits limits) : limits_(limits) {
  if (limits_.max_chunk == 0) limits_.max_chunk = 1;  // a zero chunk could never make progress
}

void LineReader::compact() {
  // Drop consumed bytes so the buffer stays bounded by what is still unread.
  if (pos_ == 0) return;
  buffer_.erase(0, pos_);
  pos_ = 0;
}

void LineReader::release_consumed() {
  if (pos_ < buffer_.size()) {
    compact();
    if (buffer_.capacity() > 1024 && buffer_.capacity() > 2 * buffer_.size()) {
      buffer_.shrink_to_fit();
    }
    return;
  }
  std::string().swap(buffer_);
  pos_ = 0;
  scanned_ = 0;
}

void LineReader::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  compact();
  buffer_.append(bytes);
}

Status LineReader::expect_literal(uint64_t size) {
  if (in_literal_) return make_error(ErrorKind::Internal, "literal already in progress");
  if (discarding_) return make_error(ErrorKind::Internal, "literal inside a discarded line");
  in_literal_ = true;
  literal_remaining_ = size;
  return ok();
}

std::string LineReader::take_buffered() {
  std::string rest = buffer_.substr(pos_);
  buffer_.clear();
  pos_ = 0;
  scanned_ = 0;
  discarding_ = false;
  return rest;
}

ReadEvent LineReader::next() {
  size_t avail = buffer_.size() - pos_;
  if (in_literal_) {
    if (literal_remaining_ == 0) {
      in_literal_ = false;
      return {ReadKind::LiteralEnd, {}};
    }
    if (avail == 0) return {ReadKind::NeedMore, {}};
    size_t n = std::min<uint64_t>({avail, literal_remaining_, limits_.max_chunk});
    std::string_view chunk(buffer_.data() + pos_, n);
    pos_ += n;
    literal_remaining_ -= n;
    scanned_ = 0;
    return {ReadKind::LiteralChunk, chunk};
  }

  while (true) {
    avail = buffer_.size() - pos_;
    const char* start = buffer_.data() + pos_;
    const void* lf =
        scanned_ < avail ? std::memchr(start + scanned_, '\n', avail - scanned_) : nullptr;
    if (discarding_) {
      if (lf == nullptr) {
        // Drop everything: an over-long line is never buffered (bounded memory).
        buffer_.clear();
        pos_ = 0;
        scanned_ = 0;
        return {ReadKind::NeedMore, {}};
      }
      pos_ += static_cast<const char*>(lf) - start + 1;
      scanned_ = 0;
      discarding_ = false;
      continue;
    }
    if (lf == nullptr) {
      scanned_ = avail;
      // Content may be max_line_length bytes plus a CR still waiting for its LF.
      if (avail > limits_.max_line_length + 1) {
        discarding_ = true;
        return {ReadKind::TooLong, {}};
      }
      return {ReadKind::NeedMore, {}};
    }
    size_t len = static_cast<const char*>(lf) - start;
    pos_ += len + 1;
    scanned_ = 0;
    if (len > 0 && start[len - 1] == '\r') --len;  // CRLF; a bare LF is accepted too
    if (len > limits_.max_line_length) return {ReadKind::TooLong, {}};
    return {ReadKind::Line, std::string_view(start, len)};
  }
}

}  // namespace roost::net
