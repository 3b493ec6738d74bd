#include "imap/engine/sliced_bytes.h"

#include <algorithm>

namespace roost::imap {

SlicedBytes SlicedBytes::of_view(std::string_view message, std::string_view part) {
  SlicedBytes out;
  if (!part.empty())
    out.append_slice(static_cast<uint64_t>(part.data() - message.data()), part.size());
  return out;
}

uint64_t SlicedBytes::size() const {
  uint64_t size = 0;
  for (const Segment& s : segments_) size += s.size();
  return size;
}

void SlicedBytes::append_text(std::string_view text) {
  if (text.empty()) return;
  text_tail().append(text);
}

std::string& SlicedBytes::text_tail() {
  if (segments_.empty() || segments_.back().slice) segments_.emplace_back();
  return segments_.back().text;
}

void SlicedBytes::append_slice(uint64_t offset, uint64_t length) {
  if (length == 0) return;
  if (!segments_.empty() && segments_.back().slice &&
      segments_.back().offset + segments_.back().length == offset) {
    segments_.back().length += length;
    return;
  }
  Segment s;
  s.slice = true;
  s.offset = offset;
  s.length = length;
  segments_.push_back(std::move(s));
}

SlicedBytes SlicedBytes::substr(uint64_t offset, std::optional<uint64_t> length) const {
  SlicedBytes out;
  uint64_t left = length.value_or(UINT64_MAX);
  for (const Segment& s : segments_) {
    if (left == 0) break;
    uint64_t size = s.size();
    if (offset >= size) {
      offset -= size;
      continue;
    }
    uint64_t take = std::min(size - offset, left);
    if (s.slice)
      out.append_slice(s.offset + offset, take);
    else
      out.append_text(std::string_view(s.text).substr(offset, take));
    left -= take;
    offset = 0;
  }
  return out;
}

std::string SlicedBytes::flatten(std::string_view message) const {
  std::string out;
  out.reserve(size());
  for (const Segment& s : segments_) {
    if (s.slice)
      out.append(message.substr(s.offset, s.length));
    else
      out.append(s.text);
  }
  return out;
}

}  // namespace roost::imap
