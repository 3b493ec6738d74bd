#include "imap/proto/sequence_set.h"

#include <algorithm>

namespace roost::imap {
namespace {

Error syntax(std::string text) { return make_error(ErrorKind::Syntax, std::move(text)); }

// seq-number = nz-number / "*" (RFC 9051 §9); nz-number fits in 32 bits.
Result<uint32_t> parse_number(std::string_view text) {
  if (text == "*") return SeqRange::kStar;
  if (text.empty() || text.size() > 10 || text[0] == '0') {
    return syntax("invalid sequence number");
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return syntax("invalid sequence number");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return syntax("sequence number out of range");
  return static_cast<uint32_t>(value);
}

void append_range(std::string& out, const SeqRange& r) {
  auto put = [&](uint32_t n) {
    if (n == SeqRange::kStar) {
      out += '*';
    } else {
      out += std::to_string(n);
    }
  };
  put(r.first);
  if (r.last != r.first) {
    out += ':';
    put(r.last);
  }
}

std::vector<SeqRange> normalize(std::vector<SeqRange> ranges) {
  for (SeqRange& r : ranges) {
    if (r.first > r.last) std::swap(r.first, r.last);
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const SeqRange& a, const SeqRange& b) { return a.first < b.first; });
  std::vector<SeqRange> merged;
  for (const SeqRange& r : ranges) {
    if (!merged.empty() && static_cast<uint64_t>(merged.back().last) + 1 >= r.first) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

SequenceSet SequenceSet::saved_result() {
  SequenceSet set;
  set.saved_ = true;
  return set;
}

Result<SequenceSet> SequenceSet::parse(std::string_view text, size_t max_ranges) {
  if (text == "$") return saved_result();
  if (text.empty()) return syntax("empty sequence set");
  SequenceSet set;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    if (set.ranges_.size() >= max_ranges) {
      return make_error(ErrorKind::Limit, "too many ranges in sequence set");
    }
    size_t colon = item.find(':');
    SeqRange range;
    if (colon == std::string_view::npos) {
      auto n = parse_number(item);
      if (!n) return n.error();
      range = {*n, *n};
    } else {
      auto a = parse_number(item.substr(0, colon));
      if (!a) return a.error();
      auto b = parse_number(item.substr(colon + 1));
      if (!b) return b.error();
      range = {*a, *b};
    }
    set.ranges_.push_back(range);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

bool SequenceSet::uses_star() const {
  return std::any_of(ranges_.begin(), ranges_.end(), [](const SeqRange& r) {
    return r.first == SeqRange::kStar || r.last == SeqRange::kStar;
  });
}

std::vector<SeqRange> SequenceSet::resolve(uint32_t max) const {
  std::vector<SeqRange> out;
  out.reserve(ranges_.size());
  for (SeqRange r : ranges_) {
    // RFC 9051 §6.4.8: with an empty mailbox '*' resolves to nothing useful; keep 0 out.
    if (r.first == SeqRange::kStar) r.first = max;
    if (r.last == SeqRange::kStar) r.last = max;
    if (r.first == 0 && r.last == 0) continue;
    if (r.first == 0) r.first = 1;
    if (r.last == 0) r.last = 1;
    out.push_back(r);
  }
  return normalize(std::move(out));
}

bool SequenceSet::contains(uint32_t number, uint32_t max) const {
  for (SeqRange r : ranges_) {
    if (r.first == SeqRange::kStar) r.first = max;
    if (r.last == SeqRange::kStar) r.last = max;
    if (r.first > r.last) std::swap(r.first, r.last);
    if (number >= r.first && number <= r.last) return true;
  }
  return false;
}

std::string SequenceSet::to_string() const {
  if (saved_) return "$";
  std::string out;
  for (const SeqRange& r : ranges_) {
    if (!out.empty()) out += ',';
    append_range(out, r);
  }
  return out;
}

std::string format_ranges(std::vector<SeqRange> ranges) {
  std::string out;
  for (const SeqRange& r : normalize(std::move(ranges))) {
    if (!out.empty()) out += ',';
    append_range(out, r);
  }
  return out;
}

std::string format_numbers(std::span<const uint32_t> numbers) {
  std::vector<SeqRange> ranges;
  ranges.reserve(numbers.size());
  for (uint32_t n : numbers) ranges.push_back({n, n});
  return format_ranges(std::move(ranges));
}

}  // namespace roost::imap
