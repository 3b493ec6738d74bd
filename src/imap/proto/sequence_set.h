// SequenceSet: an IMAP sequence-set (RFC 9051 §9 "sequence-set") as the client wrote it: ranges of
// message sequence numbers or UIDs, '*' for the largest in use, or '$' for the saved search
// result (RFC 5182). resolve() turns it into sorted, merged, star-free ranges; format_ranges()
// writes the compact form used by COPYUID, APPENDUID, VANISHED and ESEARCH ("1:3,5").
// Pure value type; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace roost::imap {

// One inclusive range; kStar stands for '*' (0 is never a valid seq-number or UID).
struct SeqRange {
  static constexpr uint32_t kStar = 0;
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

class SequenceSet {
 public:
  SequenceSet() = default;
  static SequenceSet saved_result();  // '$' (RFC 5182 §2.1)
  static SequenceSet single(uint32_t number) { return SequenceSet({SeqRange{number, number}}); }
  explicit SequenceSet(std::vector<SeqRange> ranges) : ranges_(std::move(ranges)) {}

  // Parses "1:3,5,7:*" or "$". Fails with Syntax on malformed input and with Limit when the set
  // has more than max_ranges ranges (the parser bounds work per command).
  static Result<SequenceSet> parse(std::string_view text, size_t max_ranges = SIZE_MAX);

  bool is_saved_result() const { return saved_; }
  bool uses_star() const;
  const std::vector<SeqRange>& ranges() const { return ranges_; }

  // Sorted, merged ranges with '*' replaced by max (RFC 9051 §9: "n:m" equals "m:n"). Numbers
  // above max are kept: callers decide whether they mean "no such message" or BAD. Empty for '$'.
  std::vector<SeqRange> resolve(uint32_t max) const;
  bool contains(uint32_t number, uint32_t max) const;

  // The set as written back on the wire ("1:3,5:*", "$").
  std::string to_string() const;

  bool operator==(const SequenceSet&) const = default;

 private:
  std::vector<SeqRange> ranges_;
  bool saved_ = false;
};

// Calls fn(n) for every number in resolved ranges in ascending order.
template <class Fn>
void for_each_number(const std::vector<SeqRange>& resolved, Fn&& fn) {
  for (const SeqRange& r : resolved) {
    for (uint64_t n = r.first; n <= r.last; ++n) fn(static_cast<uint32_t>(n));
  }
}

// Compact forms: "1:3,5" from ranges (sorted and merged first) or from a list of numbers.
std::string format_ranges(std::vector<SeqRange> ranges);
std::string format_numbers(std::span<const uint32_t> numbers);

}  // namespace roost::imap
