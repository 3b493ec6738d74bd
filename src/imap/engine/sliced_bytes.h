// SlicedBytes: bytes put together from owned text and slices (offset, length) of one stored
// message, so a FETCH literal can name 2 GiB of a mapped message without copying them, and the
// session can send those slices from the mapping piece by piece. Pure; the message itself is
// passed to the calls that read bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roost::imap {

class SlicedBytes {
 public:
  struct Segment {
    std::string text;     // owned bytes, when !slice
    uint64_t offset = 0;  // a slice: message bytes [offset, offset + length)
    uint64_t length = 0;
    bool slice = false;
    uint64_t size() const { return slice ? length : text.size(); }
  };

  SlicedBytes() = default;
  // `part` must lie inside `message` (a view section_bytes or part_body returned): a slice.
  static SlicedBytes of_view(std::string_view message, std::string_view part);

  void append_text(std::string_view text);
  // The owned text at the end (created when the last segment is a slice), for decoders that
  // append to a std::string.
  std::string& text_tail();
  // Adjacent slices are merged; an empty one is dropped.
  void append_slice(uint64_t offset, uint64_t length);

  uint64_t size() const;  // a sum over the segments (text_tail() may have grown one)
  bool empty() const { return size() == 0; }
  const std::vector<Segment>& segments() const { return segments_; }
  std::vector<Segment>& segments() { return segments_; }

  // RFC 9051 §7.5.2 partial: [offset, offset + length) of these bytes, clamped.
  SlicedBytes substr(uint64_t offset, std::optional<uint64_t> length) const;
  // All bytes, the slices copied out of `message`.
  std::string flatten(std::string_view message) const;

 private:
  std::vector<Segment> segments_;
};

}  // namespace roost::imap
